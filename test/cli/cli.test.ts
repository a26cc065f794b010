import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/shared/clock.ts';
import { openRuntime } from '../../src/runtime.ts';
import { cliBackend, runCli, type CliBackend } from '../helpers/cli.ts';

// Every test spawns `node bin/genjin.js` (a second or two each through tsx), so the file keeps to
// one tenant whose story runs from test to test: created, given a user, a token, the token revoked.
// Generous timeouts: on a busy two-core machine one spawn can take tens of seconds.
describe('genjin CLI', { timeout: 120_000 }, () => {
  let backend: CliBackend;
  const genjin = (...args: string[]) => runCli([...args, ...backend.args], backend.env);
  const created: { tenantId?: string; adminToken?: string; userToken?: string } = {};

  beforeAll(async () => {
    backend = await cliBackend('cli');
  });
  afterAll(async () => {
    await backend?.dispose();
  });

  it('shows help for the program and for every command', async () => {
    const commands = [[], ['serve'], ['migrate'], ['tenant', 'create'], ['user', 'create'], ['token', 'create'], ['token', 'revoke'], ['doctor']];
    const results = await Promise.all(commands.map((command) => runCli([...command, '--help'], backend.env)));

    for (const [i, result] of results.entries()) {
      expect(result, `genjin ${commands[i]!.join(' ')} --help`).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^Usage: genjin/);
    }
    const [root, ...leaves] = results;
    for (const command of ['serve', 'migrate', 'tenant', 'user', 'token', 'doctor']) {
      expect(root!.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
    expect(root!.stdout).toContain('DATABASE_URL');
    for (const leaf of leaves) expect(leaf.stdout).toContain('--data <dir>');
    expect(results[1]!.stdout).toContain('--port <port>');
    expect(results[3]!.stdout).toMatch(/--timezone <zone>[\s\S]*--admin-login[\s\S]*--admin-password[\s\S]*--json/);
  });

  it('tenant create --json prints exactly one JSON object and nothing else', async () => {
    const result = await genjin('tenant', 'create', 'acme', '--name', 'Acme', '--json');

    expect(result.code).toBe(0);
    expect(result.stdout.endsWith('\n')).toBe(true);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
    const printed = JSON.parse(result.stdout);
    expect(Object.keys(printed).sort()).toEqual(['admin', 'tenant', 'token']);
    expect(Object.keys(printed.tenant).sort()).toEqual(['id', 'name', 'slug']);
    expect(Object.keys(printed.admin).sort()).toEqual(['id', 'login']);
    expect(printed).toMatchObject({
      tenant: { id: expect.stringMatching(/^\d+$/), slug: 'acme', name: 'Acme' },
      admin: { id: expect.stringMatching(/^\d+$/), login: 'admin' },
      token: expect.stringMatching(/^gjn_[\w-]{20,}$/),
    });
    created.tenantId = printed.tenant.id;
    created.adminToken = printed.token;
  });

  it('refuses a slug that is taken, changing nothing', async () => {
    const result = await genjin('tenant', 'create', 'acme', '--json');

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe('error: tenant "acme" already exists');
  });

  it('refuses a time zone that is not an IANA zone', async () => {
    const result = await genjin('tenant', 'create', 'mars', '--timezone', 'Mars/Olympus_Mons');

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: timezone: "Mars\/Olympus_Mons" is not an IANA time zone/);
  });

  it('user create adds a user with the given role and password', async () => {
    const result = await genjin('user', 'create', '--tenant', 'acme', '--login', 'li', '--name', '李雷', '--role', 'manager', '--password', 'li-secret-pass');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Created user "li" \(id \d+\) in tenant "acme"\.\n$/);
  });

  it('token create prints only the token, on one line', async () => {
    const result = await genjin('token', 'create', '--tenant', 'acme', '--user', 'li', '--name', 'integration');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^gjn_[\w-]{20,}\n$/);
    created.userToken = result.stdout.trim();
  });

  it('token revoke revokes the token given by its value', async () => {
    const result = await genjin('token', 'revoke', created.userToken!, '--tenant', 'acme');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    const prefix = created.userToken!.slice(0, 'gjn_'.length + 6);
    expect(result.stdout).toMatch(/^Revoked token \d+ \(.*\)\.\n$/);
    expect(result.stdout).toContain(`(${prefix}…, "integration")`);
  });

  it('left the database as the commands said: the revoked token no longer authenticates', async () => {
    const runtime = await openRuntime(backend.config, 'cli.test');
    try {
      const { auth, tenants, users } = runtime.services;
      const caller = { api: 'native' as const, requestId: null, clock: systemClock };

      await expect(auth.authenticate(created.userToken!, caller)).rejects.toMatchObject({ kind: 'unauthenticated', code: 'token_revoked' });
      const admin = await auth.authenticate(created.adminToken!, caller);
      expect(admin.tenant).toMatchObject({ id: created.tenantId, slug: 'acme', timezone: 'Asia/Shanghai' });
      expect(admin.user?.login).toBe('admin');

      const li = await auth.login('acme', 'li', 'li-secret-pass', caller);
      expect(li.user).toMatchObject({ login: 'li', name: '李雷' });
      const ctx = await tenants.adminContext('acme', 'cli');
      const role = await runtime.services.roles.get(ctx, (await users.getByLogin(ctx, 'li')).role_id);
      expect(role.code).toBe('manager');

      await expect(tenants.getBySlug('mars')).rejects.toMatchObject({ kind: 'not_found' });
    } finally {
      await runtime.close();
    }
  });

  it('migrate has nothing to do on a migrated database', async () => {
    const result = await genjin('migrate');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe('Nothing to migrate: the database is up to date.\n');
  });

  it('doctor reports every check ok and exits 0', async () => {
    const result = await genjin('doctor');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.map((line) => line.replace(/:.*/, ''))).toEqual([
      'ok    connectivity',
      'ok    migrations',
      'ok    indexes set aside',
      'ok    pg_trgm extension',
      'ok    Chinese text search',
    ]);
    expect(result.stdout).toContain(backend.kind === 'embedded' ? 'embedded database' : 'postgres database');
    expect(result.stdout).toMatch(/migrations: \d+ applied, none pending/);
  });
});
