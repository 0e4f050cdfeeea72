import type { ServerLinks } from './server-links';

export interface CreatedServer {
  readonly uuid: string;
  readonly diskConfig: 'AUTO' | 'MANUAL';
  /** The requested groups' names (['default'] when none were asked for). */
  readonly securityGroups: readonly string[];
  /** Shown only when `[api] enable_instance_password` is on. */
  readonly adminPass?: string;
}

/** The 202 body of POST /servers (samples 14, 15, 57). */
export function serverCreatedView(created: CreatedServer, links: ServerLinks) {
  return {
    server: {
      id: created.uuid,
      links: links.server(created.uuid),
      'OS-DCF:diskConfig': created.diskConfig,
      security_groups: created.securityGroups.map((name) => ({ name })),
      ...(created.adminPass !== undefined ? { adminPass: created.adminPass } : {}),
    },
  };
}

/** The 202 body of POST /servers with return_reservation_id (or a multi-create). */
export function reservationView(reservationId: string) {
  return { reservation_id: reservationId };
}
