/**
 * `application/x-www-form-urlencoded` bodies as plain records of text. A name given more than
 * once becomes a list of its values (the dialect decides whether that is a list or an error).
 * With `brackets`, PHP/jQuery list names are read as lists too: `customers_id[]=1` (jQuery's
 * `$.param`) and `customers_id[0]=1` both go to `customers_id`, a list even with one item.
 * The record has no prototype, so `__proto__=1` is just a key.
 */
export function parseForm(text: string, options: { brackets: boolean }): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const bracket = options.brackets ? /^([^[\]]+)\[(\d*)\]$/.exec(rawKey) : null;
    const key = bracket ? bracket[1]! : rawKey;
    const current = out[key];
    if (bracket) out[key] = [...(current === undefined ? [] : Array.isArray(current) ? current : [current]), value];
    else if (current === undefined) out[key] = value;
    else out[key] = [...(Array.isArray(current) ? current : [current]), value];
  }
  return out;
}
