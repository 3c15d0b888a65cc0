/** Flat header lists, `[name, value, name, value, ...]`, as Node's parser and the gateway pass them around. */

/** The first value of a header (`lower`: its name in lower case); undefined when absent. */
export function headerValue(headers: readonly string[], lower: string): string | undefined {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (name.length === lower.length && (name === lower || name.toLowerCase() === lower)) return headers[i + 1];
  }
  return undefined;
}
