// The file the CLI keeps between checks (core/google/revisionStore.ts), as every command that runs a check uses
// it (`check`, `where`): settled revisions spare the check its second round trip, the labels last
// seen serving start its git work before Cloud Run answers, and large groups are read with gets.
// Beside it, the revision histories `where` keeps (core/where/historyStore.ts).
import { defaultCacheDir } from '../core/platform/cacheDir';
import { servingLabelsOf } from '../core/check';
import { serviceResourceName, type ReaderOptions, type ServiceRef } from '../core/google/cloudrun';
import { apiOriginOf } from '../core/google/runClients';
import type { Endpoints } from '../core/config';
import type { ServiceVerdict } from '../core/model';
import { RevisionHistoryFile } from '../core/where/historyStore';
import { CheckCacheFile, servingLabelsKey } from '../core/google/revisionStore';

/** The file in the cache folder; undefined when there is no folder or caching is off (CLOUD_RUN_DRIFT_CACHE_DIR set empty). */
export function openCheckCache(): CheckCacheFile | undefined {
  const dir = defaultCacheDir();
  return dir ? CheckCacheFile.open(dir) : undefined;
}

/** The revision histories `where` keeps, in a file of the same folder that `check` never reads; undefined as for openCheckCache. */
export function openHistoryFile(): RevisionHistoryFile | undefined {
  const dir = defaultCacheDir();
  return dir ? RevisionHistoryFile.open(dir) : undefined;
}

/** What the Cloud Run reader keeps in the file. */
export function cacheReaderOptions(cache: CheckCacheFile | undefined): Pick<ReaderOptions, 'settledRevisions' | 'largeGroups'> {
  return cache ? { settledRevisions: cache, largeGroups: cache.largeGroups } : {};
}

/** The labels the last checks saw serving these units (CheckOptions.expectedLabels). */
export function expectedServingLabels(cache: CheckCacheFile | undefined, endpoints: Endpoints, units: readonly ServiceRef[]): string[] {
  if (!cache) return [];
  const apiOrigin = apiOriginOf(endpoints);
  return cache.lastServingLabels(units.map((unit) => servingLabelsKey(apiOrigin, serviceResourceName(unit))));
}

/** Remembers what each unit was seen serving (one that could not be read keeps what was last seen) and writes the file. */
export function saveCheckCache(cache: CheckCacheFile | undefined, endpoints: Endpoints, verdicts: readonly ServiceVerdict[]): void {
  if (!cache) return;
  const apiOrigin = apiOriginOf(endpoints);
  for (const verdict of verdicts) {
    if (verdict.status !== 'error') cache.rememberServingLabels(servingLabelsKey(apiOrigin, serviceResourceName(verdict)), servingLabelsOf([verdict]));
  }
  cache.save();
}
