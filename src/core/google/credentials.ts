// Application Default Credentials, resolved once and up front by every client we build: the Google
// SDKs otherwise look them up inside a promise nobody awaits, which surfaces as an unhandled
// rejection (in the extension host) instead of one clear message with the command that fixes it.
// Each SDK bundle brings its own copy of google-auth-library, so its GoogleAuth class is passed in.
// The credentials are confined to the hosts the credential policy allows: whichever URL an SDK ends up
// calling (another option, a redirect), a request elsewhere fails before any header is sent.
import type { GoogleAuth } from 'google-auth-library';
import { mayCarryCredentials, type CredentialPolicy } from './credentialPolicy';
import { errorText, firstLine } from '../text/messageText';

/** The OAuth scope of the Cloud Run and Cloud Functions APIs' credentials. */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** The command that logs Application Default Credentials in: every credentials message ends with it. */
export const CREDENTIALS_FIX = 'gcloud auth application-default login';
export function credentialsFix(): string {
  return CREDENTIALS_FIX;
}

/** What to tell the user when Application Default Credentials are missing or refused: the exact fix. */
export function credentialsMessage(err: unknown): string {
  const text = errorText(err);
  if (/default credentials/i.test(text)) return `No Google Cloud credentials found. Run: ${CREDENTIALS_FIX}`;
  return `Google Cloud credentials were rejected (${firstLine(text)}). Run: ${CREDENTIALS_FIX}`;
}


export type AdcClient = Awaited<ReturnType<GoogleAuth['getClient']>>;

/**
 * The project the auth library is given, so that it does not look one up along with the credentials
 * it finds: after GOOGLE_CLOUD_PROJECT and the credentials file it runs `gcloud config config-helper`
 * (most of a second where gcloud is installed, as it is for anyone whose credentials come from
 * `gcloud auth application-default login`), then asks the metadata server (seconds where there is
 * none). Nothing reads it: every request names its project, and the BigQuery client is given its own.
 */
const PROJECT_NOT_LOOKED_UP = 'cloud-run-drift-names-each-project';

/**
 * Application Default Credentials that only ever go to a host `policy` allows. Rejects with
 * `toError(the message naming the fix)` when there are no usable credentials.
 */
export async function applicationDefaultCredentials(
  Auth: new (options: { scopes: string[]; projectId: string }) => GoogleAuth,
  scope: string,
  policy: CredentialPolicy,
  toError: (message: string) => Error,
): Promise<AdcClient> {
  const auth = new Auth({ scopes: [scope], projectId: PROJECT_NOT_LOOKED_UP });
  let client: AdcClient;
  try {
    client = await auth.getClient();
    await client.getAccessToken();
  } catch (err) {
    throw toError(credentialsMessage(err));
  }
  confineCredentials(client, policy);
  return client;
}

/**
 * Makes `client` refuse to authorize a request to a URL `policy` does not allow. Its two ways out: requests
 * it makes itself (REST through gax, which has set the Authorization header by the time the transporter's
 * request interceptors run) and the headers it hands to others for a URL (gRPC call credentials, BigQuery).
 * The token requests of the client itself are not authorized with the token and are left alone.
 */
export function confineCredentials(client: AdcClient, policy: CredentialPolicy): void {
  const refuse = (url: string | URL): Error => new Error(`Google credentials are not sent to ${hostOf(url)} (not a Google API host, nor one the user allowed)`);
  client.transporter.interceptors.request.add({
    resolved: async (config) => {
      if (config.headers.has('authorization') && !mayCarryCredentials(config.url, policy)) throw refuse(config.url);
      return config;
    },
  });
  const getRequestHeaders = client.getRequestHeaders.bind(client);
  client.getRequestHeaders = async (url?: string | URL) => {
    if (url !== undefined && !mayCarryCredentials(url, policy)) throw refuse(url);
    return getRequestHeaders(url);
  };
}

function hostOf(url: string | URL): string {
  try {
    return new URL(url).host;
  } catch {
    return String(url);
  }
}
