import { bodyShapeProblem, MAX_BODY_DEPTH } from './validation';

describe('bodyShapeProblem', () => {
  const nested = (levels: number): unknown => {
    let value: unknown = 1;
    for (let level = 0; level < levels; level++) value = { a: value };
    return value;
  };

  it('takes a body up to the depth limit and refuses one level more, without recursion', () => {
    expect(bodyShapeProblem(nested(MAX_BODY_DEPTH))).toBeNull();
    expect(bodyShapeProblem(nested(MAX_BODY_DEPTH + 1))).toEqual({ field: 'body', message: `the body must not nest deeper than ${MAX_BODY_DEPTH} levels` });
    expect(bodyShapeProblem(nested(100_000))).not.toBeNull();
  });

  it('refuses control characters, naming the field, and keeps tabs and line breaks', () => {
    expect(bodyShapeProblem({ note: '第一行\n第二行\t缩进\r\n' })).toBeNull();
    expect(bodyShapeProblem({ citizenName: '王\u0000女士' })).toEqual({ field: 'citizenName', message: 'citizenName must not contain control characters' });
    expect(bodyShapeProblem({ readings: [{ room: '主卧' }, { room: '次\u0007卧' }] })).toMatchObject({ field: 'readings[1].room' });
    expect(bodyShapeProblem({ text: 'a\u007Fb' })).not.toBeNull();
  });
});
