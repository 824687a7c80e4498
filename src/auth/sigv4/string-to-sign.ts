import { ALGORITHM } from './constants.js';

/** sigv4.md §2 step 7. */
export function createStringToSign(amzDate: string, scope: string, canonicalRequestSha256: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${canonicalRequestSha256}`;
}

export function credentialScope(scopeDate: string, region: string, service: string): string {
  return `${scopeDate}/${region}/${service}/aws4_request`;
}
