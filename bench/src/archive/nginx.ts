import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function exists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** Debian's nginx, installed with apt-get when missing (as root; else the line to run). */
export function ensureNginx(): void {
  if (exists('nginx')) return;
  if (process.getuid?.() !== 0) throw new Error('nginx is not installed: run `sudo apt-get install -y nginx`, then the benchmark again');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let result = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'nginx'], { env, stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
  if (result.status !== 0) {
    spawnSync('apt-get', ['update'], { env, stdio: ['ignore', 'inherit', 'inherit'], timeout: 180_000 });
    result = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'nginx'], { env, stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
  }
  if (result.status !== 0 || !exists('nginx')) throw new Error('apt-get install nginx failed');
  // Debian starts the service on install; the benchmark runs its own, one process.
  spawnSync('sh', ['-c', 'systemctl stop nginx 2>/dev/null || service nginx stop 2>/dev/null || true']);
}

/**
 * nginx in one process (no master, one worker: the same share of the machine as Flowcast's one
 * process), serving `directory` at /archive/ with sendfile, as a site would.
 */
export function startNginx(work: string, directory: string, port: number): ChildProcess {
  const conf = path.join(work, 'nginx.conf');
  fs.writeFileSync(
    conf,
    `daemon off;
master_process off;
worker_processes 1;
pid ${path.join(work, 'nginx.pid')};
error_log ${path.join(work, 'nginx-error.log')};
worker_rlimit_nofile 65536;
events { worker_connections 20000; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path ${work};
  proxy_temp_path ${work};
  fastcgi_temp_path ${work};
  uwsgi_temp_path ${work};
  scgi_temp_path ${work};
  types { application/ogg ogg; }
  server {
    listen 127.0.0.1:${port};
    location /archive/ { alias ${directory}/; }
  }
}
`,
  );
  return spawn('nginx', ['-c', conf, '-p', work], { stdio: 'ignore' });
}
