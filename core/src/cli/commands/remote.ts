import type { FlowSummary } from '../../admin/flow-views';
import { isFlowcastError } from '../../errors/flowcast-error';
import { adminJson, adminTarget, callAdmin, type AdminTarget } from '../admin-client';
import { EXIT, type CommandIO } from '../io';
import { findProjectRoot } from '../project';

export const REMOTE_HELP = `Usage: flowcast status
       flowcast flow start|stop|restart NAME
       flowcast set FLOW COMPONENT PROPERTY VALUE [--restart]
       flowcast listeners [MOUNT]
       flowcast kick FLOW COMPONENT ID
       flowcast logs [-f]

Talk to a running \`flowcast serve\` through its admin API. The address and token come from
FLOWCAST_ADMIN_URL and FLOWCAST_TOKEN, else from the project's .flowcast/admin.json
({"url": "...", "token": "..."}), else http://127.0.0.1:8900 (FLOWCAST_ADMIN_PORT).
\`set\` parses VALUE as JSON when it can (numbers, true/false), else takes it as text; a property
that cannot change live is refused unless --restart is given (the flow then restarts). Changes are
written to the flow file, so they last.`;

/** A table with aligned columns. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

function kbps(bits: number): string {
  return `${(bits / 1000).toFixed(0)} kbit/s`;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function remoteCommand(command: string, args: string[], options: { project?: string; follow?: boolean; restart?: boolean }, io: CommandIO): Promise<number> {
  const target: AdminTarget = adminTarget(io.env, findProjectRoot(options.project, io.cwd));
  try {
    switch (command) {
      case 'status': {
        const { flows } = await adminJson<{ flows: FlowSummary[] }>(target, 'GET', '/api/flows');
        const rows = [['FLOW', 'MOOD', 'LISTENERS', 'BITRATE', 'REASON']];
        for (const f of flows) {
          rows.push([f.name, f.mood, String(f.listeners), kbps(f.componentStats ? Object.values(f.componentStats).reduce((sum, s) => sum + (typeof s.clients === 'number' ? (s.currentBitrate ?? 0) : 0), 0) : 0), f.reason]);
          for (const c of f.components) rows.push([`  ${c.name}`, c.mood, '', '', `${c.type}${c.mood === 'happy' ? '' : `: ${c.reason}`}`]);
        }
        for (const line of table(rows)) io.out(line);
        return EXIT.ok;
      }
      case 'flow': {
        const [action, name] = args;
        if (!name || !['start', 'stop', 'restart'].includes(action ?? '')) break;
        const flow = await adminJson<FlowSummary>(target, 'POST', `/api/flows/${encodeURIComponent(name)}/${action}`);
        io.out(`flow "${flow.name}": ${flow.mood} (${flow.reason})`);
        return EXIT.ok;
      }
      case 'set': {
        const [flow, component, property, value] = args;
        if (value === undefined) break;
        const route = `/api/flows/${encodeURIComponent(flow!)}/components/${encodeURIComponent(component!)}${options.restart ? '?restart=true' : ''}`;
        const result = await adminJson<{ live: boolean; restarted: boolean; file: string }>(target, 'PATCH', route, { [property!]: parseValue(value) });
        io.out(`${flow} ${component} ${property} = ${value}: ${result.live ? 'applied live' : result.restarted ? 'applied by restarting the flow' : 'saved (the flow is stopped)'}; written to ${result.file}`);
        return EXIT.ok;
      }
      case 'listeners': {
        const route = args[0] ? `/api/listeners?mount=${encodeURIComponent(args[0])}` : '/api/listeners';
        const { listeners } = await adminJson<{ listeners: { flow: string; component: string; id: number; mount: string; address: string; userAgent?: string; connectedAt: number; bytes: number; lagMs: number }[] }>(target, 'GET', route);
        const rows = [['FLOW', 'COMPONENT', 'MOUNT', 'ID', 'ADDRESS', 'CONNECTED', 'BYTES', 'LAG', 'USER AGENT']];
        for (const l of listeners) rows.push([l.flow, l.component, l.mount, String(l.id), l.address, `${Math.round((Date.now() - l.connectedAt) / 1000)} s`, String(l.bytes), `${(l.lagMs / 1000).toFixed(1)} s`, l.userAgent ?? '']);
        for (const line of table(rows)) io.out(line);
        return EXIT.ok;
      }
      case 'kick': {
        const [flow, component, id] = args;
        if (!id || !/^\d+$/.test(id)) break;
        await adminJson(target, 'DELETE', `/api/flows/${encodeURIComponent(flow!)}/listeners/${encodeURIComponent(component!)}/${id}`);
        io.out(`listener ${id} of ${flow} ${component} disconnected`);
        return EXIT.ok;
      }
      case 'logs': {
        if (!options.follow) {
          const { lines } = await adminJson<{ lines: string[] }>(target, 'GET', '/api/logs?lines=100');
          for (const line of lines) io.out(line);
          return EXIT.ok;
        }
        const response = await callAdmin(target, 'GET', '/api/logs?follow=true&lines=20');
        const decoder = new TextDecoder();
        let buffered = '';
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffered += decoder.decode(chunk, { stream: true });
          const events = buffered.split('\n\n');
          buffered = events.pop()!;
          for (const event of events) {
            const data = event.split('\n').find((l) => l.startsWith('data: '));
            if (data) io.out((JSON.parse(data.slice(6)) as { line: string }).line);
          }
        }
        return EXIT.ok;
      }
    }
  } catch (error) {
    io.err(`flowcast ${command}: ${isFlowcastError(error) ? error.message : String(error)}`);
    return EXIT.failed;
  }
  io.err(REMOTE_HELP);
  return EXIT.invalid;
}
