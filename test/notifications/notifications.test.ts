import { beforeAll, describe, expect, it } from 'vitest';
import { notify } from '../../src/core/notifications/notify.ts';
import { makeMember } from '../helpers/crm.ts';
import { client, fixedClock, makeTenant, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

let h: Harness;
let tenant: TestTenant;
const clock = fixedClock('2030-01-01T00:00:00Z');

beforeAll(async () => {
  h = await setupHarness({ clock });
  tenant = await makeTenant(h);
});

async function inbox(userId: string, count: number, prefix = 'n') {
  for (let i = 1; i <= count; i++) {
    clock.advance(1000);
    await notify(h.database.db, tenant.ctx, [{ userId, kind: 'test', title: `${prefix}${i}`, dedupeKey: `${prefix}:${userId}:${i}` }]);
  }
}

describe('notifications API', () => {
  it('lists the caller\'s own notifications newest first, pages with a cursor, filters unread and counts them', async () => {
    const me = await makeMember(h, tenant);
    const other = await makeMember(h, tenant);
    await inbox(me.user.id, 5);
    await inbox(other.user.id, 2, 'other');
    const api = client(h.app, me.token);

    const first = await api.get('/api/v1/notifications?limit=3');
    expect(first.status).toBe(200);
    expect(first.body.items.map((n: { title: string }) => n.title)).toEqual(['n5', 'n4', 'n3']);
    expect(first.body.unreadCount).toBe(5);
    expect(first.body.items[0]).toMatchObject({ kind: 'test', readAt: null, entity: null });
    const second = await api.get(`/api/v1/notifications?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((n: { title: string }) => n.title)).toEqual(['n2', 'n1']);
    expect(second.body.nextCursor).toBeNull();

    const read = await api.post(`/api/v1/notifications/${first.body.items[1].id}/read`);
    expect(read.status).toBe(200);
    expect(read.body.readAt).not.toBeNull();
    const unread = await api.get('/api/v1/notifications?unread=true');
    expect(unread.body.items.map((n: { title: string }) => n.title)).toEqual(['n5', 'n3', 'n2', 'n1']);
    expect(unread.body.unreadCount).toBe(4);

    const all = await api.post('/api/v1/notifications/read-all');
    expect(all.body).toEqual({ marked: 4 });
    expect((await api.get('/api/v1/notifications?unread=true')).body).toMatchObject({ items: [], unreadCount: 0 });
    // The other user's inbox is untouched.
    expect((await client(h.app, other.token).get('/api/v1/notifications')).body.unreadCount).toBe(2);
  });

  it('answers 404 for another user\'s notification, admins included', async () => {
    const owner = await makeMember(h, tenant);
    await inbox(owner.user.id, 1, 'private');
    const [theirs] = (await client(h.app, owner.token).get('/api/v1/notifications')).body.items;
    const intruder = await makeMember(h, tenant);
    expect((await client(h.app, intruder.token).post(`/api/v1/notifications/${theirs.id}/read`)).status).toBe(404);
    expect((await client(h.app, tenant.adminToken).post(`/api/v1/notifications/${theirs.id}/read`)).status).toBe(404);
    expect((await client(h.app, owner.token).get('/api/v1/notifications')).body.items[0].readAt).toBeNull();
  });
});
