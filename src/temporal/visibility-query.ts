// Values put into a visibility query come from callers (filters, cursors, external ids):
// quoted and escaped, so a value can only ever be compared, never end the string it sits in.
export const quoteQueryValue = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
