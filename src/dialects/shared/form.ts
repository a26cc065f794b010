/**
 * `application/x-www-form-urlencoded` bodies as the PHP- and jQuery-style clients of seed 001
 * send them: `customers_id[]=1&customers_id[]=2` (jQuery's `$.param`), `customers_id[0]=1`, or
 * a repeated plain name. Each key becomes its bare name; a name given more than once, or with
 * brackets, becomes a list. Everything stays text: the dialect's parsers read the values.
 */
export function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const bracket = /^([^[\]]+)\[(\d*)\]$/.exec(rawKey);
    const key = bracket ? bracket[1]! : rawKey;
    const current = out[key];
    if (bracket) out[key] = [...(current === undefined ? [] : Array.isArray(current) ? current : [current]), value];
    else if (current === undefined) out[key] = value;
    else out[key] = [...(Array.isArray(current) ? current : [current]), value];
  }
  return out;
}
