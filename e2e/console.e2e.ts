// Two consoles, different roles, different home centres; real centres, real hosts with SQLite caches, real Chromium.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { login, screenshot, startStack } from './stack';

type Stack = Awaited<ReturnType<typeof startStack>>;

/** Fills and submits the new-order form; returns the address typed, which identifies the order on every board. */
async function createOrder(page: Page, address: string): Promise<void> {
  await page.getByTestId('new-order-button').click();
  await page.getByTestId('no-type').selectOption('repair');
  await page.getByTestId('no-priority').selectOption('urgent');
  await page.getByTestId('no-callerNumber').fill('13905910000');
  await page.getByTestId('no-callerName').fill('王先生');
  await page.getByTestId('no-city').selectOption('fuzhou');
  await page.getByTestId('no-county').selectOption('gulou');
  await page.getByTestId('no-address').fill(address);
  await page.getByTestId('no-description').fill('家中突然停电，邻居也停了');
  await page.getByTestId('new-order-submit').click();
}

/** Waits until the status bar shows this connection state. */
async function connection(page: Page, status: string, timeout = 20_000): Promise<void> {
  try {
    await page.locator(`[data-testid="status-connection"][data-status="${status}"]`).waitFor({ timeout });
  } catch (error) {
    const bar = await page
      .locator('.statusbar, [data-testid="status-connection"]')
      .first()
      .evaluate((e) => e.parentElement?.outerHTML);
    throw new Error(`status never became ${status}; status bar: ${bar?.slice(0, 1500)}`, { cause: error });
  }
}

const row = (page: Page, text: string) => page.getByTestId('board-row').filter({ hasText: text });

describe('the console across both centres', () => {
  let stack: Stack;
  let agent: { page: Page; host: Awaited<ReturnType<Stack['openConsole']>>['host'] };
  let lead: { page: Page; host: Awaited<ReturnType<Stack['openConsole']>>['host'] };
  let dispatcher: Page;

  beforeAll(async () => {
    stack = await startStack();
    agent = await stack.openConsole('fuzhou');
    lead = await stack.openConsole('xiamen');
    await login(agent.page, 'agent1.fz');
    await login(lead.page, 'lead.xm');
    await connection(agent.page, 'synced');
    await connection(lead.page, 'synced');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('the host serves the console under a strict CSP and refuses the bridge without its launch token', async () => {
    const page = await stack.browser.newPage();
    const csp: string[] = [];
    page.on('console', (m) => {
      if (m.text().includes('Content Security Policy')) csp.push(m.text());
    });
    const res = await page.goto(agent.host.open);
    expect(res!.headers()['content-security-policy']).toContain("default-src 'none'");
    await page.getByTestId('status-connection').waitFor();
    expect(csp).toEqual([]);
    const refused = await page.request.post(new URL('/bridge/cache.status', agent.host.open).toString(), { data: {} });
    expect(refused.status()).toBe(401);
    await page.close();
  });

  it('an order created by an agent at fuzhou appears on a team lead board at xiamen', async () => {
    await createOrder(agent.page, '福州市鼓楼区杨桥东路 18 号');
    await expect.poll(() => row(lead.page, '杨桥东路 18 号').count(), { timeout: 10_000 }).toBe(1);
    expect(await agent.page.getByTestId('status-centre').textContent()).toContain('福州');
    await screenshot(lead.page, 'board-team-lead');
    await row(lead.page, '杨桥东路 18 号').click();
    await expect.poll(() => lead.page.getByTestId('order-panel').textContent()).toContain('家中突然停电');
    expect(await lead.page.getByTestId('order-timeline').textContent()).toContain('受理');
    await screenshot(lead.page, 'order-detail');
  });

  it('when fuzhou dies the agent carries on through xiamen and says so', async () => {
    await stack.twins.fuzhou.stop('SIGKILL');
    await expect
      .poll(() => agent.page.getByTestId('status-centre').textContent(), { timeout: 8_000 })
      .toContain('厦门');
    await agent.page.getByTestId('status-failover').waitFor({ state: 'visible' });
    await connection(agent.page, 'synced');
    await createOrder(agent.page, '福州市鼓楼区五一北路 7 号');
    await expect.poll(() => row(lead.page, '五一北路 7 号').count(), { timeout: 10_000 }).toBe(1);
  });

  it('with both centres down, orders made offline survive a closed console and reach the other console later', async () => {
    await stack.twins.xiamen.stop('SIGKILL');
    await expect
      .poll(() => agent.page.getByTestId('status-connection').getAttribute('data-status'), { timeout: 8_000 })
      .toBe('offline');
    await createOrder(agent.page, '福州市鼓楼区断网路 1 号');
    await expect.poll(() => row(agent.page, '断网路 1 号').count()).toBe(1);
    // Close the console (page and host) while offline, then open it again from the same cache.
    await agent.page.waitForTimeout(300); // let the cache batch flush (50 ms)
    await agent.page.close();
    await agent.host.stop();
    agent = await stack.openConsole('fuzhou', agent.host.dataDir);
    await expect.poll(() => row(agent.page, '断网路 1 号').count(), { timeout: 10_000 }).toBe(1);
    // The centres come back; the offline order reaches the team lead.
    stack.twins.fuzhou = await stack.twins.start.fuzhou(stack.twins.fuzhou.dataDir);
    stack.twins.xiamen = await stack.twins.start.xiamen(stack.twins.xiamen.dataDir);
    await expect.poll(() => row(lead.page, '断网路 1 号').count(), { timeout: 30_000 }).toBe(1);
  });

  it('a corrupt cache file is set aside and the board is rebuilt from a centre', async () => {
    const dataDir = agent.host.dataDir;
    await agent.page.close();
    await agent.host.stop();
    writeFileSync(join(dataDir, 'cache.sqlite'), Buffer.from('this is not a database'.repeat(100)));
    agent = await stack.openConsole('fuzhou', dataDir);
    await agent.page.getByTestId('status-cache-recovered').waitFor({ state: 'visible', timeout: 15_000 });
    await expect.poll(() => row(agent.page, '杨桥东路 18 号').count(), { timeout: 15_000 }).toBe(1);
  });

  it('a dispatcher sees only its station and is offered only its own steps', async () => {
    const disp = await stack.openConsole('fuzhou');
    await login(disp.page, 'disp.fuzhou-gulou');
    dispatcher = disp.page;
    await expect
      .poll(() => disp.page.getByTestId('status-connection').getAttribute('data-status'), { timeout: 10_000 })
      .toBe('synced');
    // The team lead dispatches the first order to the Gulou station.
    await row(lead.page, '杨桥东路 18 号').click();
    await lead.page.getByTestId('order-action-dispatch').click();
    await lead.page.getByTestId('action-input-station').selectOption('st-fuzhou-gulou');
    await lead.page.getByTestId('action-confirm').click();
    await expect.poll(() => row(disp.page, '杨桥东路 18 号').count(), { timeout: 10_000 }).toBe(1);
    // Not dispatched to this station: not on its board.
    expect(await row(disp.page, '五一北路 7 号').count()).toBe(0);
    await row(disp.page, '杨桥东路 18 号').click();
    await disp.page.getByTestId('order-action-take').waitFor({ state: 'visible' });
    expect(await disp.page.getByTestId('order-action-dispatch').count()).toBe(0);
    expect(await disp.page.getByTestId('order-action-archive').count()).toBe(0);
    await screenshot(disp.page, 'board-dispatcher');
  });

  it("the station closes its loop; a dissatisfied callback sends the order back to it with the customer's words", async () => {
    const step = async (page: Page, action: string, fill?: { input: string; value: string }) => {
      await page.getByTestId(`order-action-${action}`).click();
      // The station's crews are loaded as the form opens.
      if (fill?.input === 'crew')
        await page.locator('select[data-testid="action-input-crew"]').selectOption({ index: 1 });
      else if (fill) await page.getByTestId(`action-input-${fill.input}`).fill(fill.value);
      if (fill) await page.getByTestId('action-confirm').click();
    };
    const panel = (page: Page) => page.getByTestId('order-panel');
    await row(dispatcher, '杨桥东路 18 号').click();
    await step(dispatcher, 'take');
    await expect.poll(() => panel(dispatcher).getAttribute('data-state')).toBe('taken');
    // The customer is not at home: the station stops the clocks with the reason, shown on the order; then resumes.
    await step(dispatcher, 'pause', { input: 'reason', value: '客户不在家，约好明早上门' });
    await expect.poll(() => dispatcher.getByTestId('order-paused').textContent()).toContain('客户不在家');
    await expect.poll(() => panel(dispatcher).locator('.panel-head .sla').getAttribute('data-level')).toBe('paused');
    await step(dispatcher, 'resume');
    await expect.poll(() => dispatcher.getByTestId('order-paused').count()).toBe(0);
    await expect.poll(() => dispatcher.getByTestId('order-pauses').textContent()).toContain('客户不在家');
    await step(dispatcher, 'assign', { input: 'crew', value: '' });
    await expect.poll(() => panel(dispatcher).getAttribute('data-state')).toBe('assigned');
    await step(dispatcher, 'arrive');
    await step(dispatcher, 'handle', { input: 'note', value: '更换熔断器，恢复供电' });
    await expect.poll(() => panel(dispatcher).getAttribute('data-state')).toBe('handled');
    await step(dispatcher, 'reply', { input: 'note', value: '已恢复供电' });
    await expect.poll(() => panel(dispatcher).getAttribute('data-state')).toBe('replied');

    // The agent's callback list has it; the customer is not happy and says why.
    await agent.page.getByTestId('lane-callbacks').click();
    await expect.poll(() => row(agent.page, '杨桥东路 18 号').count(), { timeout: 10_000 }).toBe(1);
    await row(agent.page, '杨桥东路 18 号').click();
    await agent.page.getByTestId('order-action-callback').click();
    await agent.page.getByTestId('action-input-satisfaction').selectOption('dissatisfied');
    await agent.page.getByTestId('action-confirm').click();
    // Without the customer's words it is refused, and says so.
    await expect.poll(() => agent.page.getByTestId('order-action-error').textContent()).toContain("customer's words");
    await agent.page.getByTestId('action-input-note').fill('修好第二天又停电了，要求彻底检查线路');
    await agent.page.getByTestId('action-confirm').click();
    await expect.poll(() => panel(agent.page).getAttribute('data-state')).toBe('dispatched');
    // Back at the station, with the words in the timeline.
    await expect.poll(() => panel(dispatcher).getAttribute('data-state'), { timeout: 10_000 }).toBe('dispatched');
    await expect.poll(() => dispatcher.getByTestId('order-timeline').textContent()).toContain('要求彻底检查线路');
    await agent.page.getByTestId('lane-all').click(); // the list is left as it was

    // The station works it again; this time the customer is satisfied, the order is archived, and both sides rate
    // each other: the team lead sees the results per agent and per station.
    await step(dispatcher, 'take');
    await step(dispatcher, 'assign', { input: 'crew', value: '' });
    await step(dispatcher, 'arrive');
    await step(dispatcher, 'handle', { input: 'note', value: '更换了老化的进户线' });
    await step(dispatcher, 'reply', { input: 'note', value: '线路已彻底检查' });
    await expect.poll(() => panel(agent.page).getAttribute('data-state'), { timeout: 10_000 }).toBe('replied');
    await agent.page.getByTestId('order-action-callback').click();
    await agent.page.getByTestId('action-input-satisfaction').selectOption('satisfied');
    await agent.page.getByTestId('action-confirm').click();
    await step(agent.page, 'archive');
    await expect.poll(() => panel(agent.page).getAttribute('data-state')).toBe('archived');
    await agent.page.getByTestId('order-action-evaluate').click();
    await agent.page.getByTestId('action-input-score').selectOption('4');
    await agent.page.getByTestId('action-input-note').fill('第二次处理彻底');
    await agent.page.getByTestId('action-confirm').click();
    await expect.poll(() => agent.page.getByTestId('order-evaluation-centre').textContent()).toContain('4/5');
    await expect.poll(() => panel(dispatcher).getAttribute('data-state'), { timeout: 10_000 }).toBe('archived');
    await dispatcher.getByTestId('order-action-evaluate').click();
    await dispatcher.getByTestId('action-input-score').selectOption('2');
    await dispatcher.getByTestId('action-input-note').fill('第一次派单地址不全');
    await dispatcher.getByTestId('action-confirm').click();
    await lead.page.getByTestId('ratings-button').click();
    const agentRow = lead.page.locator(
      '[data-testid="ratings-agents"] [data-testid="ratings-row"][data-id="agent1.fz"]',
    );
    await expect.poll(() => agentRow.getAttribute('data-mean'), { timeout: 10_000 }).toBe('2');
    await expect(agentRow.textContent()).resolves.toContain('第一次派单地址不全');
    const stationRow = lead.page.locator(
      '[data-testid="ratings-stations"] [data-testid="ratings-row"][data-id="st-fuzhou-gulou"]',
    );
    await expect.poll(() => stationRow.getAttribute('data-mean')).toBe('4');
    await screenshot(lead.page, 'ratings-team-lead');
  });

  it('a misrouted order goes back to its agent with the reason, and is dispatched again to the right station', async () => {
    // The team lead sends the second order to Gulou; the Gulou dispatcher finds it among its new orders.
    await lead.page.getByTestId('ratings-close').click();
    await row(lead.page, '五一北路 7 号').click();
    await lead.page.getByTestId('order-action-dispatch').click();
    await lead.page.getByTestId('action-input-station').selectOption('st-fuzhou-gulou');
    await lead.page.getByTestId('action-confirm').click();
    await expect
      .poll(() => dispatcher.getByTestId('lane-new').getAttribute('data-count'), { timeout: 10_000 })
      .toBe('1');
    // The count leads the window's title, so it shows on the taskbar behind other windows.
    await expect.poll(() => dispatcher.title()).toMatch(/^\(1\) /);
    await dispatcher.getByTestId('lane-new').click();
    await expect.poll(() => row(dispatcher, '五一北路 7 号').count()).toBe(1);
    await row(dispatcher, '五一北路 7 号').click();
    await dispatcher.getByTestId('order-action-send_back').click();
    await dispatcher.getByTestId('action-input-reason').fill('地址属台江区，非本站辖区');
    await dispatcher.getByTestId('action-confirm').click();
    await expect.poll(() => row(dispatcher, '五一北路 7 号').count(), { timeout: 10_000 }).toBe(0);
    await dispatcher.getByTestId('lane-all').click();

    // The agent who took it has it back, with the station's reason on the row.
    await expect
      .poll(() => agent.page.getByTestId('lane-returned').getAttribute('data-count'), { timeout: 10_000 })
      .toBe('1');
    await agent.page.getByTestId('lane-returned').click();
    const back = row(agent.page, '五一北路 7 号');
    await expect.poll(() => back.getByTestId('row-sent-back').textContent()).toContain('地址属台江区');
    await back.click();
    await agent.page.getByTestId('order-action-dispatch').click();
    await agent.page.getByTestId('action-input-station').selectOption('st-fuzhou-taijiang');
    await agent.page.getByTestId('action-confirm').click();
    await expect.poll(() => agent.page.getByTestId('lane-returned').getAttribute('data-count')).toBe('0');
    await agent.page.getByTestId('lane-all').click();
    await expect
      .poll(
        () =>
          lead.page
            .getByTestId('order-panel')
            .locator('[data-testid="timeline-event"][data-action="dispatch"]')
            .count(),
        {
          timeout: 10_000,
        },
      )
      .toBe(2);
    await expect(lead.page.getByTestId('order-timeline').textContent()).resolves.toContain('地址属台江区');
  });
});
