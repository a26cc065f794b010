/** The seed's sample answer (002_bb409b678aacb760.txt, 返回示例), verbatim. */
export const SAMPLE_ANSWER = {
  code: 200,
  data: {
    item: {
      name: '赵六',
      source: { id: '484017950731272192', name: '熟人介绍', group_id: '356019519744901120', is_active: true, color: '#606266', sort_num: 200, is_default: 0 },
      note: '',
      phone: '13763738383',
      textarea_1680158327352: '',
      select_1680162080347: [],
      input_1680509561692: '',
      id: '688343387861942272',
      own_id: [],
      is_clue: 1,
      is_public: 0,
      created_id: { id: '1', name: '超级管理员', avatar_url: '' },
      updated_id: { id: '1', name: '超级管理员', avatar_url: '' },
      product_line_id: '688051545102614528',
      title: '赵六',
      updated_at: '2024-10-19 11:10:52',
      created_at: '2024-10-19 11:10:52',
      tags: [],
      _team_info: false,
      _can_edit: true,
      _can_del: true,
      _flow: false,
      is_favorite: false,
      _coming_free: false,
      _left_days: 0,
      clue_is_assign: false,
      client_position: 'clue',
      last_own_id: [],
      last_seas_at: null,
      move_seas_times: null,
      move_seas_type: null,
      last_follow_log: null,
      last_follow_at: null,
      last_deal_at: null,
      last_deal_money: null,
      assign_at: null,
      deleted_id: [],
      life_cycle_id: [],
      clue_user: [],
      first_assign_time: null,
      first_assign_diff: null,
      is_lock: null,
      clientListAndSeas: null,
      next_follow_at: null,
      clue_id_unique: null,
      clue_ocpc_data: { value: [], display: '' },
      deleted_at: null,
      _flow_node_name: null,
      _flow_status: null,
    },
  },
  message: '',
};

/** Fields of the seed's 返回信息 table that the sample answer does not show. */
export const TABLE_ONLY_FIELDS = ['canedit', 'candelete', 'teaminfo', 'api_setting_id', 'api_platform', 'clue_is_black', 'last_life_cycle_id'];

type JsonType = 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean';

export const jsonType = (v: unknown): JsonType =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as 'object' | 'string' | 'number' | 'boolean');

/**
 * Where the sample shows an empty value of a field whose table type is another, the other type
 * is also the field's type: a person or dictionary item is `[]` when empty (PHP's empty array)
 * and an object when set; a null datetime, number or text is a string or number when set.
 */
const ALSO: Record<string, JsonType[]> = {
  own_id: ['object'],
  last_own_id: ['object'],
  deleted_id: ['object'],
  clue_user: ['object'],
  created_id: ['array'],
  updated_id: ['array'],
  life_cycle_id: ['object'],
  source: ['array'],
  _team_info: ['array'],
  last_seas_at: ['string'],
  last_follow_log: ['string'],
  last_follow_at: ['string'],
  next_follow_at: ['string'],
  last_deal_at: ['string'],
  last_deal_money: ['string'],
  assign_at: ['string'],
  deleted_at: ['string'],
  first_assign_diff: ['string'],
  clue_id_unique: ['string'],
  move_seas_times: ['number'],
  move_seas_type: ['number'],
  first_assign_time: ['number'],
  is_lock: ['number'],
};

/**
 * Differences in shape between the sample and an answer: a missing key, or a value of another
 * JSON type than the sample's (or its documented alternative). Objects recurse; arrays compare
 * their elements with the sample's first element when the sample has one.
 */
export function shapeDifferences(sample: unknown, actual: unknown, path = '$', strict = false): string[] {
  const expected = jsonType(sample);
  const got = jsonType(actual);
  const key = path.split('.').pop() ?? '';
  if (expected !== got) {
    if (!strict && ALSO[key]?.includes(got)) return [];
    return [`${path}: expected ${expected}, got ${got}`];
  }
  if (expected === 'object') {
    const a = actual as Record<string, unknown>;
    return Object.entries(sample as Record<string, unknown>).flatMap(([k, v]) =>
      Object.hasOwn(a, k) ? shapeDifferences(v, a[k], `${path}.${k}`, strict) : [`${path}.${k}: missing`],
    );
  }
  if (expected === 'array' && (sample as unknown[]).length > 0) {
    return (actual as unknown[]).flatMap((v, i) => shapeDifferences((sample as unknown[])[0], v, `${path}[${i}]`, strict));
  }
  return [];
}
