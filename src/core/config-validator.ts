// The configuration validator. Tests and tsx run this file, compiling the schema with Ajv at first
// use; the shipped bundles replace it at build time with Ajv's standalone output for the same
// schema and options (see esbuild.mjs), because compiling the schema cost ~150 ms per CLI run.
import Ajv, { type ValidateFunction } from 'ajv';
import schema from '../../schema/cloud-run-drift.schema.json';

export const AJV_OPTIONS = { allErrors: true, strict: false, verbose: true } as const;

let compiled: ValidateFunction | undefined;
export function configValidator(): ValidateFunction {
  compiled ??= new Ajv(AJV_OPTIONS).compile(schema);
  return compiled;
}
