import { Type } from 'class-transformer';
import { IsArray, IsString, ValidateNested } from 'class-validator';
import type { ApiVersion } from '../http/api-version';
import { validateBody } from '../http/validation';
import { IsPresent, NotNullOptional } from './validators';
import { bodyClass } from './servers/body-class';
import { EachObject, Format, MaxLen, MinItems, OneOf } from './servers/checks';
import { isUuidFormat } from './servers/formats';

/** Event names and the microversion each became known in. */
const EVENT_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['network-changed', '2.1'],
  ['network-vif-plugged', '2.1'],
  ['network-vif-unplugged', '2.1'],
  ['network-vif-deleted', '2.1'],
  ['volume-extended', '2.51'],
  ['power-update', '2.76'],
  ['accelerator-request-bound', '2.82'],
  ['volume-reimaged', '2.93'],
];

export interface ExternalEventFields {
  name: string;
  server_uuid: string;
  status?: 'failed' | 'completed' | 'in-progress';
  tag?: string;
}

function eventsBody(version: ApiVersion): new () => object {
  const names = EVENT_NAMES.filter(([, since]) => version.atLeast(since)).map(([n]) => n);
  const event = bodyClass(
    'ExternalEvent',
    version.toString(),
    [
      { name: 'name', rules: () => [IsPresent(), IsString(), OneOf(names)] },
      {
        name: 'server_uuid',
        rules: () => [IsPresent(), IsString(), Format('uuid', isUuidFormat)],
      },
      {
        name: 'status',
        rules: () => [NotNullOptional(), IsString(), OneOf(['failed', 'completed', 'in-progress'])],
      },
      { name: 'tag', rules: () => [NotNullOptional(), IsString(), MaxLen(255)] },
    ],
    { allExtras: false },
  );
  return bodyClass('ExternalEventsBody', version.toString(), [
    {
      name: 'events',
      rules: () => [
        IsPresent(),
        IsArray(),
        MinItems(1),
        EachObject(),
        ValidateNested({ each: true }),
        Type(() => event),
      ],
    },
  ]);
}

/** POST /os-server-external-events, validated as Nova's schema of the request's microversion. */
export function parseExternalEvents(body: unknown, version: ApiVersion): ExternalEventFields[] {
  return (validateBody(eventsBody(version), body) as { events: ExternalEventFields[] }).events;
}
