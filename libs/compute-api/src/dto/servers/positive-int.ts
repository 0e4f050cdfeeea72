import { ValidateBy, type ValidationArguments } from 'class-validator';

/** Why a value is not Nova's positive_integer (an integer >= 1 or a digit string), if it is not. */
export function positiveIntProblem(value: unknown): string | undefined {
  let n: number;
  if (typeof value === 'string') {
    if (value === '') {
      return 'is too short';
    }
    if (!/^[0-9]*$/.test(value)) {
      return "does not match '^[0-9]*$'";
    }
    n = Number(value);
  } else if (typeof value === 'number' && Number.isInteger(value)) {
    n = value;
  } else {
    return "is not of type 'integer', 'string'";
  }
  return n < 1 ? 'is less than the minimum of 1' : undefined;
}

export function PositiveIntLike(): PropertyDecorator {
  return ValidateBy({
    name: 'positiveInteger',
    validator: {
      validate: (value: unknown) => positiveIntProblem(value) === undefined,
      // The first word becomes the value's repr in the fault.
      defaultMessage: (args?: ValidationArguments) =>
        `value ${positiveIntProblem(args?.value) ?? 'is invalid'}`,
    },
  });
}
