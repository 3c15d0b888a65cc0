/** RFC 9110 §5.6.2 `token` characters: what a header name (and a method) may be made of. */
export const TOKEN_CHARS = "!#$%&'*+.^_`|~0-9A-Za-z-";

/** A whole string of token characters, e.g. a header name. */
export const HTTP_TOKEN = new RegExp(`^[${TOKEN_CHARS}]+$`);
