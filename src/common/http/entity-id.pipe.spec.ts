import { BadRequestException, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContainerIdParams } from '#src/fleet/dto/container.dto.js';
import { EntityIdPipe } from './entity-id.pipe.js';

/** The global pipe of bootstrap.ts, on the params DTO that routes declared before. */
const globalPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  forbidUnknownValues: true,
});
const ID_PARAM: ArgumentMetadata = { type: 'param', data: 'id', metatype: String };

type Outcome = { accepted: string } | { refused: unknown };

async function outcome(run: () => unknown): Promise<Outcome> {
  try {
    const value = await run();
    return { accepted: typeof value === 'string' ? value : (value as ContainerIdParams).id };
  } catch (err) {
    assert.ok(err instanceof BadRequestException, String(err));
    return { refused: err.getResponse() };
  }
}

const viaDto = (id: string) =>
  outcome(() => globalPipe.transform({ id }, { type: 'param', metatype: ContainerIdParams }));
const viaPipe = (id: string) => outcome(() => new EntityIdPipe().transform(id, ID_PARAM));

describe(EntityIdPipe.name, () => {
  it('passes a valid id through unchanged', async () => {
    assert.deepEqual(await viaPipe('REEFER-001'), { accepted: 'REEFER-001' });
    assert.deepEqual(await viaPipe('a'.repeat(64)), { accepted: 'a'.repeat(64) });
  });

  it('refuses with the messages of the params DTO', async () => {
    for (const id of [
      'a'.repeat(65),
      'bad id',
      '-lead',
      '',
      'С-cyrillic',
      'x/y',
      '\u0000',
      `${'a'.repeat(64)}$`,
      'a..b',
    ]) {
      const refused = await viaPipe(id);
      assert.ok('refused' in refused, id);
      assert.deepEqual(refused, await viaDto(id), id);
    }
    assert.deepEqual(await viaPipe('a'.repeat(65)), {
      refused: {
        statusCode: 400,
        error: 'Bad Request',
        message: [
          'id must be shorter than or equal to 64 characters',
          'id must be 1-64 characters of letters, digits, ".", "_" or "-", without ".."',
        ],
      },
    });
  });

  it('decides every id as the DTO check does', async () => {
    const allowed = fc.constantFrom(...'aZ09._-'.split(''));
    const any = fc.constantFrom(...'aZ09._-/ $%\u00e9\u0421\u0000'.split(''));
    // Ids of allowed characters around the 64 boundary, and ids with anything in them.
    const ids = fc.oneof(
      fc.string({ unit: allowed, minLength: 60, maxLength: 68 }),
      fc.string({ unit: allowed, maxLength: 8 }),
      fc.string({ unit: any, maxLength: 70 }),
    );
    await fc.assert(
      fc.asyncProperty(ids, async (id) => {
        assert.deepEqual(await viaPipe(id), await viaDto(id));
      }),
      { numRuns: 500 },
    );
  });
});
