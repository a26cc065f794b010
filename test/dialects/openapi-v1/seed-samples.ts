/**
 * The response samples of seed 003 (shared/seeds/003_4298b46b598b49ff.txt), verbatim. Parsed
 * with JSON.parse, their int64 ids round, which does not matter here: only the shapes (every
 * field and its JSON type) are compared.
 */

export const SAMPLE_CREATE_REQUEST = `{
"cle_id": 6470844909275561985,
"opty_id": 6471982131139821569,
"record_type": 36,
"record_content": "跟进记录"
}`;

export const SAMPLE_RECORD_TYPES = { code: 200, message: 'ok', data: [{ id: 36, dic_name: '系统自动' }] };

export const SAMPLE_CREATED = { code: 200, message: 'ok', data: { id: '6471994196059471873', _id: 6471994196059472000 } };

export const SAMPLE_LIST = JSON.parse(`{
"code": 200,
"message": "ok",
"data": {
"cursor": "WzE1NDIzNTA0NzgsImNybV9jbGllbnRzIzY0NjkwODY3ODA0NTYxNTcxODUiXQQD",
"total": 2,
"rows": [
{
"_id": 6471994196059471873,
"opty_id": 6471982131139821569,
"record_type": 36,
"cle_id": "6470844909275561985",
"record_content": "跟进记录",
"create_user_id": 90000172,
"create_time": 1543043660,
"client": {
"_id": 6470844909275561985,
"cle_name": "1112321323",
"cle_phone": "3121123123",
"cle_source": 1,
"cle_source_name": "官网注册",
"cle_type": 1,
"cle_type_name": "潜在客户",
"cle_grade": 1,
"cle_grade_name": "普通客户",
"sale_charge_user_id": 90002395,
"service_charge_user_id": 0,
"is_win_order": 2,
"is_win_order_name": "否",
"last_assign_time": 1542769648,
"last_recycle_time": 0,
"transfer_public_reason_id": 0,
"create_type": 0,
"import_task_id": 0,
"create_user_id": 90002395,
"create_time": 1542769648,
"update_user_id": 90000172,
"update_time": 1542950533,
"last_contact_user_id": 90000172,
"last_contact_time": 1542955157,
"datasource_6469093183677775873": [],
"datasource_6469093183677775873_name": "",
"datasource_6469093223150370817": [],
"datasource_6469093223150370817_name": "",
"input_6470108518023413761": "默认值测试",
"textarea_6470108592325509121": "12311231123112311231123112311231123112311231123112311231123112311231123112311231123112311231123112311231123112311231123112311231123112311231123112311231123112311231123112311231123112311231123112311231",
"select_6470108723137462273": 2,
"select_6470108723137462273_name": "222222222222222",
"radio_6470108813340164097": 2,
"radio_6470108813340164097_name": "222222222222222",
"checkbox_6470108890934788097": [],
"checkbox_6470108890934788097_name": "",
"datetime_6470108953748684801": 1542556800,
"cascade_6470109026154954753": [],
"cascade_6470109026154954753_name": "",
"city_6470109140181303297": [],
"city_6470109140181303297_name": "",
"telephone_6470109718877814785": "132222212312312",
"email_6470109810384945153": "",
"number_6470109847739416577": 3,
"attachment_6470109901174849537": [],
"attachment_6470109999745187841": [],
"input_6470212194209611777": "",
"city_6470212275625246721": [],
"city_6470212275625246721_name": "",
"input_6470212373881012225": "",
"input_6470212433549180929": "",
"input_6470212479275483137": "",
"input_6470212529321918465": "",
"select_6470213535355092993": 0,
"select_6470213535355092993_name": "",
"input_6470213585858707457": "",
"input_6470213645757562881": "",
"select_6470215797540372481": 0,
"select_6470215797540372481_name": "",
"datasource_6470223215527706625": [
"230101"
],
"datasource_6470223215527706625_name": "武汉沌口门店",
"radio_6470475943239729153": 0,
"radio_6470475943239729153_name": "",
"radio_6470477758073126913": 0,
"radio_6470477758073126913_name": "",
"input_6470524366294859777": "",
"attachment_6470524827785740289": [],
"datasource_6470536728531943425": [],
"datasource_6470536728531943425_name": "",
"datasource_6470835680972095489": [],
"datasource_6470835680972095489_name": "",
"original_id": 0,
"cle_pinyin": "1112321323",
"sale_charge_user_name": "1214 luquan",
"sale_charge_department_id": 39,
"sale_charge_department_name": "测试分配策略",
"service_charge_user_name": "",
"service_charge_department_id": 0,
"service_charge_department_name": "",
"last_contact_user_name": "8002 8002坐席",
"last_contact_department_id": 1,
"last_contact_department_name": "公司",
"create_type_name": "手动创建",
"transfer_public_reason_name": "",
"opportunity_num": 4,
"import_task_name": "",
"im_third_id": "",
"create_role_id": 19,
"create_role_name": "鲁权测试",
"switch_times": 0,
"vcc_id": 90000000,
"create_user_name": "1214 luquan",
"create_department_id": 39,
"create_department_name": "测试分配策略",
"update_user_name": "8002 8002坐席",
"update_department_id": 1,
"update_department_name": 0,
"select_6471310166045474817": 2,
"select_6471310166045474817_name": "222",
"id": "6470844909275561985",
"no_contact_days": 1
},
"opportunity": {
"_id": 6471982131139821569,
"opty_name": "商机1",
"cle_id": 6470844909275561985,
"opty_type": 1,
"opty_type_name": "新客户商机",
"opty_source": 1,
"opty_source_name": "官网注册",
"opty_stage": 22,
"lose_order_reason": 0,
"lose_order_remark": "",
"sale_charge_user_id": 90002395,
"create_user_id": 90000172,
"create_time": 1543040783,
"update_user_id": 90000172,
"update_time": 1543041375,
"last_contact_user_id": 90000172,
"last_contact_time": 1543043667,
"cle_name": "1112321323",
"cle_phone": "3121123123",
"opty_stage_name": "初步洽谈",
"lose_order_reason_name": "",
"sale_charge_user_name": "1214 luquan",
"sale_charge_department_id": 39,
"sale_charge_department_name": "测试分配策略",
"last_contact_user_name": "8002 8002坐席",
"last_contact_department_id": 1,
"last_contact_department_name": "公司",
"vcc_id": 90000000,
"create_user_name": "8002 8002坐席",
"create_department_id": 1,
"create_department_name": "公司",
"update_user_name": "8002 8002坐席",
"update_department_id": 1,
"update_department_name": 0,
"id": "6471982131139821569"
},
"record_type_name": "系统自动",
"create_role_id": 1,
"create_role_name": "BOSS",
"vcc_id": 90000000,
"create_user_name": "8002 8002坐席",
"create_department_id": 1,
"create_department_name": "公司",
"update_user_name": "8002 8002坐席",
"update_department_id": 1,
"update_department_name": "公司",
"cle_name": "1112321323",
"update_time": 1543043660,
"update_user_id": 90000172,
"record_content_name": "跟进记录",
"id": "6471994196059471873"
}
]
}
}`) as Record<string, any>;

export const SAMPLE_DETAIL = JSON.parse(`{
"code": 200,
"message": "ok",
"data": {
"_id": 6471994196059471873,
"opty_id": 6471982131139821569,
"record_type": 36,
"cle_id": 6470844909275561985,
"record_content": "跟进记录",
"create_user_id": 90000172,
"create_time": 1543043660,
"record_type_name": "系统自动",
"create_role_id": 1,
"create_role_name": "BOSS",
"vcc_id": 90000000,
"create_user_name": "8002 8002坐席",
"create_department_id": 1,
"create_department_name": "公司",
"update_user_name": "8002 8002坐席",
"update_department_id": 1,
"update_department_name": "公司",
"cle_name": "1112321323",
"update_time": 1543043660,
"update_user_id": 90000172,
"record_content_name": "跟进记录",
"id": "6471994196059471873"
}
}`) as Record<string, any>;

export const SAMPLE_DELETED = { code: 200, message: 'ok', data: [] };

/**
 * Where Genjin answers with another JSON type than the sample, on purpose (README): the
 * sample's `update_department_name: 0` inside `client` and `opportunity` is an artifact (the
 * same sample names department 1 "公司" everywhere else); Genjin answers the name, a string.
 */
export const TYPE_EXCEPTIONS: Record<string, string> = {
  'data.rows[].client.update_department_name': 'string',
  'data.rows[].opportunity.update_department_name': 'string',
};

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Every field of the sample must be in the answer with the same JSON type, recursively (arrays
 * by their first element). Returns the differences as readable lines; empty when the shapes agree.
 */
export function shapeDiff(actual: unknown, sample: unknown, path = '', exceptions: Record<string, string> = {}): string[] {
  const expected = exceptions[path] ?? typeOf(sample);
  if (typeOf(actual) !== expected) return [`${path || '(root)'}: expected ${expected}, got ${typeOf(actual)} (${JSON.stringify(actual)?.slice(0, 60)})`];
  if (expected !== typeOf(sample)) return [];
  if (Array.isArray(sample)) {
    if (sample.length === 0 || (actual as unknown[]).length === 0) return [];
    return shapeDiff((actual as unknown[])[0], sample[0], `${path}[]`, exceptions);
  }
  if (sample && typeof sample === 'object') {
    const out: string[] = [];
    for (const [key, value] of Object.entries(sample)) {
      const at = path ? `${path}.${key}` : key;
      if (!Object.hasOwn(actual as object, key)) out.push(`${at}: missing`);
      else out.push(...shapeDiff((actual as Record<string, unknown>)[key], value, at, exceptions));
    }
    return out;
  }
  return [];
}
