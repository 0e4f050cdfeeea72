/**
 * Runs floor-server.ts as its own process against a stack's cell database and
 * hands `measure` a client for it; the bench times its requests as it times
 * the API's.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ApiHttp } from './http-client';
import { MYSQL, REDIS, type Stack } from '../lib/stack';

export async function withFloorServer<T>(
  stack: Stack,
  cell: string,
  measure: (http: ApiHttp) => Promise<T>,
): Promise<T> {
  const options = {
    mysql: MYSQL,
    redis: REDIS,
    database: stack.dbName(cell),
    key: `${stack.id}:floor`,
  };
  const child = spawn(
    process.execPath,
    [join(__dirname, 'floor-server.js'), JSON.stringify(options)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
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
      return await measure(http);
    } finally {
      http.close();
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
