// Google resource names (`projects/p/locations/r/services/s`) as the product shows and matches
// them: by their last segment.

/** The last segment of a resource name (`s` above); '' when there is none. */
export function shortName(resource: string | null | undefined): string {
  return (resource ?? '').split('/').pop() ?? '';
}

/** The last segment of a resource name; null when there is none. */
export function shortNameOrNull(resource: string | null | undefined): string | null {
  return shortName(resource) || null;
}
