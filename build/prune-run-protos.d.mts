/** protobuf.js JSON of @google-cloud/run reduced to what the Services and Revisions clients use. */
export function pruneRunProtos(json: object): object;
