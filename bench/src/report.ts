/** The results as Markdown: the comparison table, the encode overhead, the machine. */
import { STREAM_BYTES_PER_SECOND } from './encode';
import { ICECAST_LIMITS } from './icecast';
import { medianRatio } from './idle';
import type { BurstResult, HoldRecord, HoldResult, LatencyResult, Results, Stat, StallResult } from './types';
import type { OverheadRound } from './idle';

const MB = 2 ** 20;

function fmt(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Flowcast ÷ Icecast, or — when either is missing or Icecast's is 0. */
function ratio(f: number | null | undefined, i: number | null | undefined): string {
  if (f === null || f === undefined || i === null || i === undefined || !Number.isFinite(f) || !Number.isFinite(i)) return '—';
  if (i === 0) return f === 0 ? '1.00' : '∞';
  const r = f / i;
  if (r === 0) return '0';
  return Math.abs(r) >= 100 ? r.toFixed(0) : Math.abs(r) >= 0.1 ? r.toFixed(2) : r.toPrecision(2);
}

/** A table row: the metric, Flowcast, Icecast, Flowcast / Icecast; the floor and Flowcast / floor where measured. */
function row(metric: string, f: string, i: string, r: string, floor = '', floorRatio = ''): string {
  return `| ${metric} | ${f} | ${i} | ${floor || '—'} | ${r} | ${floorRatio || '—'} |`;
}

function reasons(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length ? entries.map(([k, v]) => `${k} ${v}`).join(', ') : 'none';
}

const hold = (r: HoldRecord): HoldResult => r.client as unknown as HoldResult;

function stallText(s: StallResult, afterS: Stat): string {
  return s.released ? `${fmt(afterS, 1)} s` : `> ${fmt(s.limitS, 0)} s (not dropped)`;
}

function stallRatio(f: StallResult, i: StallResult, fAfterS: Stat, iAfterS: Stat): string {
  if (f.released && i.released) return ratio(fAfterS, iAfterS);
  if (f.released) return `< ${ratio(fAfterS, i.limitS)}`;
  return i.released ? `> ${ratio(f.limitS, iAfterS)}` : '—';
}

export function renderResults(res: Results): string {
  const { config, machine } = res;
  const F = res.flowcast;
  const I = res.icecast;
  const L = res.floor;
  const lines: string[] = [];
  lines.push('# Flowcast vs Icecast 2: benchmark results', '');
  lines.push(`Run on ${res.startedAt} with \`${config.quick ? 'BENCH_QUICK=1 ' : ''}npm run bench\` (wall time ${fmt(res.wallS, 0)} s).`);
  if (config.quick) lines.push('', '**Quick development run (BENCH_QUICK=1): small N and short windows; not the benchmark.**');
  lines.push('', '## Flowcast / Icecast, and Flowcast / the floor', '');
  lines.push(
    'The floor is bench/floor/floor.c: the smallest fan-out server (C, one thread, epoll, non-blocking sends, the same 500 ms write coalescing as streamer-http\'s write-interval, no policy at all) fed the same encode by its own gst-launch-1.0 child. Its CPU and memory per listener are what serving listeners costs at the least on this machine.',
    '',
  );
  lines.push('| Metric | Flowcast | Icecast 2 | Floor (C) | Flowcast / Icecast | Flowcast / floor |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  const lIdleTotal = L.idle.cpuPercent + L.sourceIdle.cpuPercent;

  lines.push(row('**Idle** (0 listeners): CPU, % of one core — server process', fmt(F.idle.cpuPercent, 2), fmt(I.idle.cpuPercent, 2), ratio(F.idle.cpuPercent, I.idle.cpuPercent), fmt(L.idle.cpuPercent, 2), ratio(F.idle.cpuPercent, L.idle.cpuPercent)));
  lines.push(
    row(
      'Idle: CPU — server + its encoder',
      fmt(F.idle.cpuPercent, 2),
      fmt(I.idle.cpuPercent + res.icecastSourceIdle.cpuPercent, 2),
      ratio(F.idle.cpuPercent, I.idle.cpuPercent + res.icecastSourceIdle.cpuPercent),
      fmt(lIdleTotal, 2),
      ratio(F.idle.cpuPercent, lIdleTotal),
    ),
  );
  lines.push(row('Idle: RSS, MB — server process', fmt(F.idle.rssBytes / MB), fmt(I.idle.rssBytes / MB), ratio(F.idle.rssBytes, I.idle.rssBytes), fmt(L.idle.rssBytes / MB), ratio(F.idle.rssBytes, L.idle.rssBytes)));
  const anon = (x: { rssAnonBytes?: number }): number | undefined => x.rssAnonBytes;
  lines.push(
    row(
      'Idle: private memory (RssAnon: RSS less code pages shared with other processes), MB',
      fmt((anon(F.idle) ?? NaN) / MB),
      fmt((anon(I.idle) ?? NaN) / MB),
      ratio(anon(F.idle), anon(I.idle)),
      fmt((anon(L.idle) ?? NaN) / MB),
      ratio(anon(F.idle), anon(L.idle)),
    ),
  );

  F.holds.forEach((fr, index) => {
    const ir = I.holds[index];
    const lr = L.holds[index];
    if (!ir || !lr) return;
    const f = hold(fr);
    const i = hold(ir);
    const l = hold(lr);
    const n = fr.n;
    const label = fr.reader === 'data' ? `N = ${n}, on('data') client` : `N = ${n}`;
    const fCpu = fr.server?.cpuPercent;
    const iCpu = ir.server?.cpuPercent;
    const lCpu = lr.server?.cpuPercent;
    const iTotal = iCpu !== undefined && ir.source ? iCpu + ir.source.cpuPercent : undefined;
    const lTotal = lCpu !== undefined && lr.source ? lCpu + lr.source.cpuPercent : undefined;
    const iIdleTotal = I.idle.cpuPercent + res.icecastSourceIdle.cpuPercent;
    const marginal = (cpu: number | undefined, idle: number): number | undefined => (cpu === undefined ? undefined : ((cpu - idle) / n) * 1000);
    const rssMarginal = (rss: number | undefined, idle: number): number | undefined => (rss === undefined ? undefined : (rss - idle) / n / 1024);
    const fMarginal = marginal(fCpu, F.idle.cpuPercent);
    const lMarginal = marginal(lTotal, lIdleTotal);
    lines.push(
      row(`**${label}**: listeners held / dropped / failed`, `${f.held} / ${f.dropped} / ${f.failed}`, `${i.held} / ${i.dropped} / ${i.failed}`, ratio(f.held, i.held) + ' (held)', `${l.held} / ${l.dropped} / ${l.failed}`, ratio(f.held, l.held) + ' (held)'),
    );
    lines.push(row(`${label}: CPU while holding, % of one core — server process`, fmt(fCpu), fmt(iCpu), ratio(fCpu, iCpu), fmt(lCpu), ratio(fCpu, lCpu)));
    lines.push(row(`${label}: CPU — server + its encoder`, fmt(fCpu), fmt(iTotal), ratio(fCpu, iTotal), fmt(lTotal), ratio(fCpu, lTotal)));
    lines.push(
      row(
        `${label}: CPU above idle per 1000 listeners (marginal), % of one core`,
        fmt(fMarginal, 2),
        fmt(marginal(iTotal, iIdleTotal), 2),
        ratio(fMarginal, marginal(iTotal, iIdleTotal)),
        fmt(lMarginal, 2),
        ratio(fMarginal, lMarginal),
      ),
    );
    lines.push(
      row(
        `${label}: RSS while holding, MB — server process`,
        fmt((fr.server?.rssBytes ?? NaN) / MB),
        fmt((ir.server?.rssBytes ?? NaN) / MB),
        ratio(fr.server?.rssBytes, ir.server?.rssBytes),
        fmt((lr.server?.rssBytes ?? NaN) / MB),
        ratio(fr.server?.rssBytes, lr.server?.rssBytes),
      ),
    );
    const fRss = rssMarginal(fr.server?.rssBytes, F.idle.rssBytes);
    const lRss = rssMarginal(lr.server?.rssBytes, L.idle.rssBytes);
    lines.push(row(`${label}: RSS above idle per listener, KB`, fmt(fRss), fmt(rssMarginal(ir.server?.rssBytes, I.idle.rssBytes)), ratio(fRss, rssMarginal(ir.server?.rssBytes, I.idle.rssBytes)), fmt(lRss), ratio(fRss, lRss)));
    lines.push(
      row(
        `${label}: delivered bytes/s per held listener (÷ stream rate)`,
        `${fmt(f.bytesPerSecond.mean, 0)} (${fmt(f.ratioToStream, 3)})`,
        `${fmt(i.bytesPerSecond.mean, 0)} (${fmt(i.ratioToStream, 3)})`,
        ratio(f.bytesPerSecond.mean, i.bytesPerSecond.mean),
        `${fmt(l.bytesPerSecond.mean, 0)} (${fmt(l.ratioToStream, 3)})`,
        ratio(f.bytesPerSecond.mean, l.bytesPerSecond.mean),
      ),
    );
    lines.push(
      row(
        `${label}: slowest 1 % of listeners ÷ stream rate; listeners given no data`,
        `${fmt(f.ratioToStreamP1, 3)}; ${f.starved}`,
        `${fmt(i.ratioToStreamP1, 3)}; ${i.starved}`,
        ratio(f.ratioToStreamP1, i.ratioToStreamP1),
        `${fmt(l.ratioToStreamP1, 3)}; ${l.starved}`,
        ratio(f.ratioToStreamP1, l.ratioToStreamP1),
      ),
    );
    lines.push(row(`${label}: load client CPU during the window, % of one core`, fmt(f.clientCpuPercent), fmt(i.clientCpuPercent), ratio(f.clientCpuPercent, i.clientCpuPercent), fmt(l.clientCpuPercent), ratio(f.clientCpuPercent, l.clientCpuPercent)));
    if (fr.latencyUnderLoad && ir.latencyUnderLoad && lr.latencyUnderLoad) {
      const [fu, iu, lu] = [fr.latencyUnderLoad, ir.latencyUnderLoad, lr.latencyUnderLoad].map((x) => (x as unknown as LatencyResult).firstByteMs ?? { p50: null, p99: null }) as [LatencyResult['firstByteMs'], LatencyResult['firstByteMs'], LatencyResult['firstByteMs']];
      lines.push(row(`${label}: first byte of ${config.latencyM} new listeners (one after another) while the ${n} are held: p50, ms`, fmt(fu.p50), fmt(iu.p50), ratio(fu.p50, iu.p50), fmt(lu.p50), ratio(fu.p50, lu.p50)));
      lines.push(row(`${label}: the same, p99, ms`, fmt(fu.p99), fmt(iu.p99), ratio(fu.p99, iu.p99), fmt(lu.p99), ratio(fu.p99, lu.p99)));
    }
  });

  const fl = F.latency as unknown as LatencyResult;
  const il = I.latency as unknown as LatencyResult;
  const ll = L.latency as unknown as LatencyResult;
  lines.push(row(`**First byte**, new listener (${config.latencyM} one after another): p50, ms`, fmt(fl.firstByteMs.p50), fmt(il.firstByteMs.p50), ratio(fl.firstByteMs.p50, il.firstByteMs.p50), fmt(ll.firstByteMs.p50), ratio(fl.firstByteMs.p50, ll.firstByteMs.p50)));
  lines.push(row('First byte: p99, ms', fmt(fl.firstByteMs.p99), fmt(il.firstByteMs.p99), ratio(fl.firstByteMs.p99, il.firstByteMs.p99), fmt(ll.firstByteMs.p99), ratio(fl.firstByteMs.p99, ll.firstByteMs.p99)));
  const fb = F.burst as unknown as BurstResult;
  const ib = I.burst as unknown as BurstResult;
  const lb = L.burst as unknown as BurstResult;
  lines.push(row(`**Connects** with ${config.burstK} in flight: succeeded within ${config.burstLimitS} s`, `${fb.succeeded} / ${fb.fired}`, `${ib.succeeded} / ${ib.fired}`, ratio(fb.succeeded, ib.succeeded), `${lb.succeeded} / ${lb.fired}`, ratio(fb.succeeded, lb.succeeded)));
  lines.push(row(`Connects, ${config.burstK} in flight: failures (reset / refused / other)`, `${fb.reset} / ${fb.refused} / ${fb.failed - fb.reset - fb.refused}`, `${ib.reset} / ${ib.refused} / ${ib.failed - ib.reset - ib.refused}`, ratio(fb.failed, ib.failed)));
  lines.push(
    row(
      `Connects, ${config.burstK} in flight: first byte p99, ms; listeners waiting > 1 s`,
      `${fmt(fb.firstByteMs.p99, 0)}; ${fb.over1s}`,
      `${fmt(ib.firstByteMs.p99, 0)}; ${ib.over1s}`,
      ratio(fb.firstByteMs.p99, ib.firstByteMs.p99),
      `${fmt(lb.firstByteMs.p99, 0)}; ${lb.over1s}`,
      ratio(fb.firstByteMs.p99, lb.firstByteMs.p99),
    ),
  );
  const fs = F.stall as unknown as StallResult;
  const is = I.stall as unknown as StallResult;
  lines.push(
    row(
      '**Stalled listener**: time until the server drops it, from the first byte it left unread',
      stallText(fs, fs.releasedAfterUnreadS),
      stallText(is, is.releasedAfterUnreadS),
      stallRatio(fs, is, fs.releasedAfterUnreadS, is.releasedAfterUnreadS),
    ),
  );
  lines.push(row('Stalled listener: time until the server drops it, from its last read', stallText(fs, fs.releasedAfterS), stallText(is, is.releasedAfterS), stallRatio(fs, is, fs.releasedAfterS, is.releasedAfterS)));
  lines.push(
    row(
      '**Start → first byte served**, ms (`flowcast run`; icecast2 + its source)',
      fmt(F.startToFirstByteMs, 0),
      fmt(I.startToFirstByteMs, 0),
      ratio(F.startToFirstByteMs, I.startToFirstByteMs),
    ),
  );

  lines.push('', '## Framework overhead: the same encode, 0 listeners', '');
  const rounds = res.overheadRounds;
  const versusGst = (r: OverheadRound): number => r.flowcast.cpuPercent / r.gst.cpuPercent;
  const hostVersusGst = (r: OverheadRound): number => r.nodeHost.cpuPercent / r.gst.cpuPercent;
  const versusHost = (r: OverheadRound): number => r.flowcast.cpuPercent / r.nodeHost.cpuPercent;
  const controlVersusGst = (r: OverheadRound): number => r.gstControl.cpuPercent / r.gst.cpuPercent;
  lines.push(
    `Flowcast (\`flowcast run\`: Node, the encode in process, the HTTP streamer) against \`gst-launch-1.0\` running the same elements into fakesink, and against the same description in a bare Node process through gstreamer-superficial (bench/src/node-host.ts: no Flowcast code), and a second \`gst-launch-1.0\` as a control (the same program against itself: the measurement's own spread), side by side on one CPU (all four pinned to CPU ${res.overheadCpu}, Icecast and its source to the others), in ${rounds.length} rounds of ${fmt(config.idleS, 0)} s with fresh references each round (idle.ts says why). CPU: schedstat run time, % of one core.`,
    '',
  );
  lines.push(
    '| Round | Flowcast | of which Node main / other Node threads / GStreamer threads | bare Node host | gst-launch-1.0 | **Flowcast / gst-launch-1.0** | bare Node host / gst-launch-1.0 | Flowcast / bare Node host | control: second gst-launch-1.0 / gst-launch-1.0 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  rounds.forEach((r, i) => {
    const t = r.flowcast.threads;
    lines.push(
      `| ${i + 1} | ${fmt(r.flowcast.cpuPercent, 3)} | ${fmt(t.main, 3)} / ${fmt(t.sameName, 3)} / ${fmt(t.other, 3)} | ${fmt(r.nodeHost.cpuPercent, 3)} | ${fmt(r.gst.cpuPercent, 3)} | ${fmt(versusGst(r), 3)} | ${fmt(hostVersusGst(r), 3)} | ${fmt(versusHost(r), 3)} | ${fmt(controlVersusGst(r), 3)} |`,
    );
  });
  lines.push(`| **median** | | | | | **${fmt(medianRatio(rounds, versusGst), 3)}** | ${fmt(medianRatio(rounds, hostVersusGst), 3)} | ${fmt(medianRatio(rounds, versusHost), 3)} | ${fmt(medianRatio(rounds, controlVersusGst), 3)} |`);
  lines.push(
    '',
    `RSS: Flowcast ${fmt(F.idle.rssBytes / MB)} MB, gst-launch-1.0 ${fmt((res.overheadRounds[0]?.gst.rssBytes ?? Number.NaN) / MB)} MB. Icecast's source (the same encode into shout2send) over the idle phase: ${fmt(res.icecastSourceIdle.cpuPercent, 2)} % of a core (utime+stime), ${fmt(res.icecastSourceIdle.rssBytes / MB)} MB.`,
  );
  lines.push(
    '',
    res.pipelineWarning
      ? `**Warning**: ${res.pipelineWarning}.`
      : "Checked in this run: Flowcast's pipeline (its debug log) has the same elements as the gst-launch-1.0 reference, the sinks aside (flowcastbatchsink against fakesink).",
  );
  lines.push('', `\`flowcast run\` → "is running" on stdout: ${fmt(res.flowcastStartToRunningMs, 0)} ms; → first byte served: ${fmt(F.startToFirstByteMs, 0)} ms.`);

  lines.push('', '## Notes', '');
  lines.push(
    `- Stream: audiotestsrc white noise, 44.1 kHz stereo, vorbisenc bitrate=${fmt(STREAM_BYTES_PER_SECOND * 8, 0)} in Ogg (white noise, because vorbisenc's bitrate is an average target that a sine tone stays far below: ~24 kbit/s). Stream rate taken as the nominal ${fmt(STREAM_BYTES_PER_SECOND, 0)} B/s; this encode actually comes out at ≈ 0.97 of it (Ogg framing included), so ≈ 0.97 on both servers means every listener got the whole stream.`,
    "- **Flowcast's process runs the encoder; Icecast's does not** (its encoder is the separate gst-launch-1.0 … ! shout2send). Rows marked \"server process\" compare the processes as they are; \"server + its encoder\" adds Icecast's source. The marginal rows ((CPU at N − CPU idle) ÷ N, with the encoder on both sides) isolate the cost of serving listeners.",
    `- CPU is utime+stime from /proc/PID/stat (all threads) over the ${fmt(config.holdS, 0)} s hold window, as % of one core; RSS is VmRSS at the end of the window (a Node process's RSS moves by several MB with garbage collection, so RSS per listener is only meaningful at the larger N). Idle figures: the whole idle phase (${config.idleRounds} rounds of ${fmt(config.idleS, 0)} s, plus the reference's start-ups), 0 listeners.`,
    `- Load clients: every hold runs once with each (${config.readers.join(', ')}). \`onread\`: every listener reads into one buffer shared by all (no allocation per read); \`on('data')\`: a plain 'data' handler, a new Buffer per read, as most stream-based players read. At N = ${config.latencyUnderN}, once the window is over and while the N are still held, a second client process times the first byte of ${config.latencyM} new listeners one after another (50 ms apart).`,
    `- The floor's idle figures are measured over ${fmt(config.idleS, 0)} s right after its start (after the idle phase), its encode (a gst-launch-1.0 child writing Ogg into a pipe) apart; the floor gives no burst: a new listener gets the HTTP head and the Ogg header pages at once (its first body bytes), then data from the next write on.`,
    `- Holds: listeners ramp at ${config.rampRate}/s (at most ${config.maxConnecting} handshakes in flight), settle ${config.settleS} s, then the window. *Dropped*: got data, then closed before the window ended; *failed*: never got data within 15 s. Bytes are body bytes received during the window.`,
    `- Icecast settings (${machine.icecast}): limits clients ${ICECAST_LIMITS.clients}, sources ${ICECAST_LIMITS.sources}; queue-size ${ICECAST_LIMITS.queueSize} and burst-size ${ICECAST_LIMITS.burstSize} (burst-on-connect 1) are Icecast's defaults.`,
    `- Listeners that failed during the ramps, by reason: ${[...F.holds.map((r) => `Flowcast N = ${r.n}: ${reasons(hold(r).failReasons)}`), ...I.holds.map((r) => `Icecast N = ${r.n}: ${reasons(hold(r).failReasons)}`)].join('; ')}. "timeout" = connected but no data within 15 s; for Icecast that is a connection its listen backlog of 5 turned away (accept-queue overflow) and the client kept retrying.`,
    `- First byte: from connect() to the first body byte (after the HTTP headers). Burst: ${config.burstK} connect() calls at once from one process; "other" failures are timeouts at the limit or closes before data (${reasons(fb.reasons)} | ${reasons(ib.reasons)}).`,
    `- Stalled listener: reads the response headers (and what came with them: ${fs.readBeforeStall} B from Flowcast, ${is.readBeforeStall} B from Icecast), then stops reading from its socket (Node cannot set SO_RCVBUF on TCP sockets; an unread socket keeps the initial receive buffer, tcp_rmem[1]). It is behind from the first byte it leaves unread (seen in its kernel's receive queue, asked every 10 ms): ${fmt(fs.firstUnreadAfterS, 2)} s after its last read on Flowcast, ${fmt(is.firstUnreadAfterS, 2)} s on Icecast; before that it had read everything sent, as a listener that keeps up does. Dropped = the server's end of the connection no longer belongs to the server process (inode 0 or gone, asked of ss every ${fmt(config.stallPollMs, 0)} ms), limit ${fmt(config.stallMaxS, 0)} s (BENCH_STALL_MAX_S). Each server's stall runs on a second instance of that server started for it, in the background of the other tests. Server send queue at most: Flowcast ${fs.maxServerSendQueue} B, Icecast ${is.maxServerSendQueue} B; how: ${fs.how || '—'} | ${is.how || '—'}. Flowcast's log gives as the reason: "${fs.serverReason ?? '—'}" (its hard-lag is 30 s, the default).`,
    `- All processes share ${machine.cpus} cores: the load client (one Node process per test) competes with the server it measures, and the stall instances and the other server idle in the background. Reading ${fmt(config.listenerCounts[config.listenerCounts.length - 1] ?? 0, 0)} streams costs the client real CPU (its row above); a client short of CPU shows up as bytes/s below the stream rate.`,
    "- Flowcast's streamer reads each listener's TCP state once a second with one getsockopt(TCP_INFO): the bytes acknowledged (its send queue) and the window the client advertises (what the client's own kernel holds unread, counted in its lag).",
    `- Idle phase: starts ${fmt(config.idleAfterStartS, 0)} s after Flowcast's start at the earliest (BENCH_IDLE_AFTER_START_S), past V8's start-up garbage collection, and before the stall instances start, so that only the two servers, Icecast's source and the reference run. Flowcast's streamer takes its sink's queue every 5 s while nobody listens.`,
    `- Flowcast revision: ${machine.flowcastRevision}.`,
  );

  lines.push('', '## Machine', '');
  lines.push(
    `- CPU: ${machine.cpuModel}, ${machine.cpus} cores (nproc)`,
    `- RAM: ${machine.ramGiB} GiB`,
    `- OS: ${machine.os}, kernel ${machine.kernel}`,
    `- Node ${machine.node}; ${machine.gstreamer}; ${machine.icecast}`,
    `- Open files limit for servers and clients: ${machine.openFilesLimit}`,
    `- ${Object.entries(machine.sysctl)
      .map(([k, v]) => `${k} = ${v}`)
      .join('; ')}`,
  );
  lines.push('', '## Command', '', '```sh', `${config.quick ? 'BENCH_QUICK=1 ' : ''}npm run bench`, '```');
  lines.push('', '<details><summary>Raw results (JSON)</summary>', '', '```json', JSON.stringify(res, null, 1), '```', '', '</details>', '');
  return lines.join('\n');
}
