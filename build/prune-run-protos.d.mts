/** protobuf.js JSON of @google-cloud/run reduced to what the Services and Revisions clients use. */
export function pruneRunProtos(json: object): object;
/** protobuf.js JSON of @google-cloud/functions reduced to what the v2 FunctionService client uses. */
export function pruneFunctionsProtos(json: object): object;
export function pruneProtos(json: object, services: readonly string[], packageName: string): object;
