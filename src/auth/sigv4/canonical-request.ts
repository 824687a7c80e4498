/** sigv4.md §3: the six parts, each header line ending in `\n`, no trailing newline. */
export function createCanonicalRequest(
  method: string,
  canonicalUri: string,
  canonicalQuery: string,
  canonicalHeaderLines: string,
  signedHeaders: readonly string[],
  payloadHash: string,
): string {
  return `${method}\n${canonicalUri}\n${canonicalQuery}\n${canonicalHeaderLines}\n${signedHeaders.join(';')}\n${payloadHash}`;
}
