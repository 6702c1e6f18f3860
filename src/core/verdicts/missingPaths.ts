// Configured paths that name nothing at HEAD (a misspelt path, or one not committed yet): never
// taken as "no later commit touches it", always reported, in the verdict and as a problem with the
// configuration that points at the path in the file.
import { CONFIG_FILE_NAME, jsonPath, type ConfigProblem, type ServiceConfig } from '../config';
import type { ServiceVerdict } from '../model';

const WHY = 'misspelt, or not committed yet?';

/** One problem per missing path, located where the file writes it. */
export function missingPathProblems(service: ServiceConfig, missingPaths: readonly string[]): ConfigProblem[] {
  return missingPaths.map((missing) => {
    const source = service.pathSources?.[service.paths.indexOf(missing)];
    return {
      jsonPath: source?.jsonPath ?? jsonPath(['services', service.name, 'paths']),
      line: source?.line ?? null,
      message: `${JSON.stringify(missing)} names nothing at HEAD (${WHY})`,
    };
  });
}

/** The problems of every verdict that found missing paths, in the order of the verdicts. */
export function verdictPathProblems(services: readonly ServiceConfig[], verdicts: readonly ServiceVerdict[]): ConfigProblem[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  return verdicts.flatMap((v) => {
    const service = byName.get(v.name);
    return service && v.missingPaths.length > 0 ? missingPathProblems(service, v.missingPaths) : [];
  });
}

/** The sentence a verdict carries: whether it could still be judged from the paths that exist. */
export function missingPathsSentence(missingPaths: readonly string[], allMissing: boolean): string {
  const list = missingPaths.map((p) => JSON.stringify(p)).join(', ');
  if (allMissing) {
    return `No path of this service exists at HEAD (${list}): fix "paths" in ${CONFIG_FILE_NAME} (${WHY}). Until then its commits cannot be counted.`;
  }
  const names = missingPaths.length === 1 ? `Path ${list} names` : `Paths ${list} name`;
  return `${names} nothing at HEAD: fix "paths" in ${CONFIG_FILE_NAME} (${WHY}). This verdict comes from the other paths.`;
}
