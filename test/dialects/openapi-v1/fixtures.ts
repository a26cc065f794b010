import { sql } from 'kysely';
import type { CustomFieldKind } from '../../../src/db/schema.ts';
import { client, makeTenant, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { dictionaryItem, userContext } from '../../helpers/crm.ts';
import { SAMPLE_LIST } from './seed-samples.ts';

/**
 * The seed's world: identities restarted at the seed's ids (this file's database only), the
 * sample's departments, users with job numbers, every customer custom field key of the sample,
 * the customer 1112321323 with its opportunity 商机1, and follow-up type 36 系统自动.
 */
export const SEED_IDS = {
  customer: '6470844909275561985',
  opportunity: '6471982131139821569',
  followUp: '6471994196059471873',
};

export async function restartIdentities(h: Harness) {
  const db = h.database.db;
  await sql`ALTER TABLE customer ALTER COLUMN id RESTART WITH ${sql.raw(SEED_IDS.customer)}`.execute(db);
  await sql`ALTER TABLE opportunity ALTER COLUMN id RESTART WITH ${sql.raw(SEED_IDS.opportunity)}`.execute(db);
  await sql`ALTER TABLE follow_up ALTER COLUMN id RESTART WITH ${sql.raw(SEED_IDS.followUp)}`.execute(db);
}

const KINDS = ['input', 'textarea', 'select', 'radio', 'checkbox', 'datetime', 'number', 'telephone', 'email', 'city', 'cascade', 'datasource', 'attachment'];
const OPTIONS: Record<string, { id: string; name: string }[]> = {
  select_6470108723137462273: [{ id: '1', name: '111' }, { id: '2', name: '222222222222222' }],
  radio_6470108813340164097: [{ id: '1', name: '111' }, { id: '2', name: '222222222222222' }],
  select_6471310166045474817: [{ id: '1', name: '111' }, { id: '2', name: '222' }],
  datasource_6470223215527706625: [{ id: '230101', name: '武汉沌口门店' }],
};

export async function seedWorld(h: Harness) {
  await restartIdentities(h);
  const tenant: TestTenant = await makeTenant(h);
  const company = await h.services.departments.create(tenant.ctx, { name: '公司' });
  const strategy = await h.services.departments.create(tenant.ctx, { name: '测试分配策略', parentId: company.id });
  const makeAgent = async (login: string, name: string, jobNumber: string, departmentId: string, roleCode: string) => {
    const user = await h.services.users.create(tenant.ctx, { login, name, jobNumber, departmentId, roleCode, password: 'agent-pass-1' });
    const { token } = await h.services.auth.createToken(tenant.ctx, { name: 'openapi', userId: user.id });
    return { user, token, ctx: await userContext(h, token), http: client(h.app, token) };
  };
  const agent = await makeAgent('agent8002', '8002坐席', '8002', company.id, 'admin');
  const luquan = await makeAgent('luquan', 'luquan', '1214', strategy.id, 'sales');

  for (const key of Object.keys(SAMPLE_LIST.data.rows[0].client)) {
    const kind = key.split('_')[0]!;
    if (!KINDS.includes(kind) || key.endsWith('_name')) continue;
    const needsOptions = ['select', 'radio', 'checkbox', 'cascade', 'datasource'].includes(kind);
    await h.services.customFields.create(tenant.ctx, 'customer', {
      kind: kind as CustomFieldKind,
      key,
      label: key,
      options: needsOptions ? (OPTIONS[key] ?? [{ id: '1', name: '选项一' }]) : [],
    });
  }
  const customer = await h.services.customers.create(luquan.ctx, {
    name: '1112321323',
    phones: ['3121123123'],
    sourceId: (await dictionaryItem(h, tenant.ctx, 'customer_source', 1)).id,
    typeId: (await dictionaryItem(h, tenant.ctx, 'customer_type', 1)).id,
    gradeId: (await dictionaryItem(h, tenant.ctx, 'customer_grade', 2)).id,
    customFields: {
      input_6470108518023413761: '默认值测试',
      select_6470108723137462273: '2',
      radio_6470108813340164097: '2',
      datetime_6470108953748684801: '2018-11-18T16:00:00.000Z',
      telephone_6470109718877814785: '132222212312312',
      number_6470109847739416577: 3,
      datasource_6470223215527706625: ['230101'],
      select_6471310166045474817: '2',
    },
  });
  const opportunity = await h.services.opportunities.create(luquan.ctx, {
    customerId: customer.id,
    name: '商机1',
    typeId: (await dictionaryItem(h, tenant.ctx, 'opportunity_type', 1)).id,
    sourceId: (await dictionaryItem(h, tenant.ctx, 'customer_source', 1)).id,
    stageId: (await dictionaryItem(h, tenant.ctx, 'opportunity_stage', 1)).id,
  });
  const recordType = await h.services.dictionaries.createItem(tenant.ctx, 'follow_up_type', { code: 36, name: '系统自动' });
  return { tenant, company, strategy, agent, luquan, customer, opportunity, recordType };
}
