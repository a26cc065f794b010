/**
 * The dictionaries a tenant has, and the items a new tenant starts with. Item `code`s are stable
 * integers that wire formats rely on: seed 004 sends contact purposes 1–7 (`type_id`) and routes
 * 1–4 (`route_id`), seed 001 sends visit events 1–5 (`event`), seed 004 answers customer kinds
 * 1 (enterprise) and 2 (individual). Never renumber them.
 */
export interface DefaultItem {
  code: number;
  name: string;
  color?: string;
  isDefault?: boolean;
  children?: DefaultItem[];
}

export interface DictionaryDefinition {
  description: string;
  /** Items may have a parent item of the same dictionary. */
  hierarchical: boolean;
  defaults: DefaultItem[];
}

const list = (names: string[], defaultIndex = 0): DefaultItem[] =>
  names.map((name, i) => ({ code: i + 1, name, ...(i === defaultIndex ? { isDefault: true } : {}) }));

export const DICTIONARIES = {
  follow_up_type: {
    description: 'Kind of follow-up (跟进类型), e.g. phone call or visit',
    hierarchical: false,
    defaults: list(['电话', '上门拜访', '微信', '邮件', '短信', '会议', '系统自动', '其他']),
  },
  contact_purpose: {
    description: 'Purpose of a contact (联系类别); codes 1–7 are those of seed 004',
    hierarchical: false,
    defaults: list(['销售联系', '客户关怀', '售后回访', '投诉回访', '服务支持', '维修维护', '实施培训']),
  },
  contact_route: {
    description: 'Route of a contact (联系方式); codes 1–4 are those of seed 004',
    hierarchical: false,
    defaults: list(['电话', '信函', '邮件', '上门']),
  },
  visit_event: {
    description: 'Event of a visit record (跟进事件); codes 1–5 are those of seed 001',
    hierarchical: false,
    defaults: list(['接入', '走访拜访', '电话拜访', '签约', '售后']),
  },
  customer_source: {
    description: 'Where a customer came from (客户来源)',
    hierarchical: false,
    defaults: list(['电话营销', '网络推广', '客户介绍', '展会', '广告', '自主开发', '其他'], 5),
  },
  customer_kind: {
    description: 'Customer kind (客户性质); code 1 enterprise, 2 individual, as seed 004 answers',
    hierarchical: false,
    defaults: list(['企业客户', '个人客户']),
  },
  customer_type: {
    description: 'Customer type (客户类型), a tree',
    hierarchical: true,
    defaults: [
      {
        code: 1,
        name: '直接客户',
        isDefault: true,
        children: [
          { code: 2, name: '重点客户' },
          { code: 3, name: '普通客户' },
        ],
      },
      {
        code: 4,
        name: '渠道客户',
        children: [
          { code: 5, name: '代理商' },
          { code: 6, name: '经销商' },
        ],
      },
      { code: 7, name: '合作伙伴' },
    ],
  },
  lifecycle_stage: {
    description: 'Life-cycle stage of a customer (生命周期)',
    hierarchical: false,
    defaults: list(['潜在客户', '意向客户', '成交客户', '复购客户', '流失客户']),
  },
  customer_grade: {
    description: 'Customer grade (客户等级)',
    hierarchical: false,
    defaults: list(['A 重点客户', 'B 普通客户', 'C 一般客户', 'D 低价值客户'], 1),
  },
  opportunity_stage: {
    description: 'Stage of an opportunity (商机阶段)',
    hierarchical: false,
    defaults: list(['初步接洽', '需求确认', '方案报价', '商务谈判', '赢单', '输单']),
  },
  opportunity_type: {
    description: 'Type of an opportunity (商机类型)',
    hierarchical: false,
    defaults: list(['新客户商机', '老客户增购', '续约']),
  },
  lose_reason: {
    description: 'Why an opportunity was lost (输单原因)',
    hierarchical: false,
    defaults: list(['价格因素', '选择竞品', '需求变化', '预算不足', '其他']),
  },
  favourite_marker: {
    description: 'Marker a user puts on a favourite customer (收藏标识)',
    hierarchical: false,
    defaults: [
      { code: 1, name: '重要', color: '#f5222d', isDefault: true },
      { code: 2, name: '跟进中', color: '#fa8c16' },
      { code: 3, name: '待联系', color: '#1677ff' },
      { code: 4, name: '已成交', color: '#52c41a' },
    ],
  },
} satisfies Record<string, DictionaryDefinition>;

export type DictionaryName = keyof typeof DICTIONARIES;

export const DICTIONARY_NAMES = Object.keys(DICTIONARIES) as DictionaryName[];

export function isDictionaryName(value: string): value is DictionaryName {
  return Object.hasOwn(DICTIONARIES, value);
}
