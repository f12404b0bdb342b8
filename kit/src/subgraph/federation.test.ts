import * as classValidator from 'class-validator';
import { Max, Min } from 'class-validator';
import type { GraphQLResolveInfo } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { validateArgument } from './federation';

class Page {
  @Min(1)
  @Max(100)
  first!: number;
}

const page = (first: number) => Object.assign(new Page(), { first });
const info = { parentType: { getFields: () => ({}) }, fieldName: 'items' } as unknown as GraphQLResolveInfo;
const validate = async (value: unknown) => validateArgument(value, Page, { root: undefined, args: {}, context: {}, info });

describe('validateArgument', () => {
  afterEach(() => jest.restoreAllMocks());

  it('validates a value once: the same arguments again are not validated again', async () => {
    const spy = jest.spyOn(classValidator, 'validateOrReject');
    await validate(page(20));
    await validate(page(20));
    expect(spy).toHaveBeenCalledTimes(1);
    await validate(page(21));
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('refuses an invalid value every time, with class-validator\'s errors', async () => {
    const spy = jest.spyOn(classValidator, 'validateOrReject');
    for (let i = 0; i < 2; i++) {
      const refused = await validate(page(0)).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(ArgumentValidationError);
      expect(JSON.stringify((refused as ArgumentValidationError).extensions.validationErrors)).toMatch(/first must not be less than 1/);
    }
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('validates each item of a list argument', async () => {
    await expect(validate([page(5), page(500)])).rejects.toBeInstanceOf(ArgumentValidationError);
    await expect(validate([page(5), page(6)])).resolves.toBeUndefined();
  });
});
