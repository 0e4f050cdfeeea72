/**
 * Runs floor-server.ts as its own process against a stack's cell database and
 * times `count` sequential requests to it through the bench's HTTP client.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ApiHttp } from './http-client';
import { MYSQL, REDIS, type Stack } from '../lib/stack';

export async function measureFloor(stack: Stack, cell: string, count: number): Promise<number[]> {
  const options = {
    mysql: MYSQL,
    redis: REDIS,
    database: stack.dbName(cell),
    key: `${stack.id}:floor`,
  };
  const child = spawn(
    process.execPath,
    [join(__dirname, 'floor-server.js'), JSON.stringify(options)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const match = /listening (\d+)/.exec(out);
        if (match) {
          resolve(Number(match[1]));
        }
      });
      child.once('exit', (code) => reject(new Error(`floor server exited ${code}: ${stderr}`)));
    });
    const http = new ApiHttp(`http://127.0.0.1:${port}`);
    try {
      const samples: number[] = [];
      for (let i = 0; i < count; i++) {
        const start = performance.now();
        const res = await http.get('/');
        samples.push(performance.now() - start);
        if (res.status !== 200) {
          throw new Error(`floor server: HTTP ${res.status}: ${res.text.slice(0, 300)}`);
        }
      }
      return samples;
    } finally {
      http.close();
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
