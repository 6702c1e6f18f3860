// Application Default Credentials, resolved once and up front by every client we build: the Google
// SDKs otherwise look them up inside a promise nobody awaits, which surfaces as an unhandled
// rejection (in the extension host) instead of one clear message with the command that fixes it.
// Each SDK bundle brings its own copy of google-auth-library, so its GoogleAuth class is passed in.
import type { GoogleAuth } from 'google-auth-library';

/** The command that logs Application Default Credentials in: every credentials message ends with it. */
export const CREDENTIALS_FIX = 'gcloud auth application-default login';
export function credentialsFix(): string {
  return CREDENTIALS_FIX;
}

/** What to tell the user when Application Default Credentials are missing or refused: the exact fix. */
export function credentialsMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/default credentials/i.test(text)) return `No Google Cloud credentials found. Run: ${CREDENTIALS_FIX}`;
  return `Google Cloud credentials were rejected (${firstLine(text)}). Run: ${CREDENTIALS_FIX}`;
}

export function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

export type AdcClient = Awaited<ReturnType<GoogleAuth['getClient']>>;

/** Rejects with `toError(the message naming the fix)` when there are no usable credentials. */
export async function applicationDefaultCredentials(Auth: new (options: { scopes: string[] }) => GoogleAuth, scope: string, toError: (message: string) => Error): Promise<AdcClient> {
  const auth = new Auth({ scopes: [scope] });
  try {
    const client = await auth.getClient();
    await client.getAccessToken();
    return client;
  } catch (err) {
    throw toError(credentialsMessage(err));
  }
}
