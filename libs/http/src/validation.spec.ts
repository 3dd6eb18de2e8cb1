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

  it('refuses a property named like a member of every object, anywhere (class-transformer drops those unseen)', () => {
    expect(bodyShapeProblem(JSON.parse('{"username":"admin","__proto__":{"role":"admin"}}'))).toEqual({ field: '__proto__', message: 'property __proto__ should not exist' });
    expect(bodyShapeProblem(JSON.parse('{"readings":[{"hasOwnProperty":false}]}'))).toMatchObject({ field: 'readings[0].hasOwnProperty' });
    expect(bodyShapeProblem({ constructor: 1 })).toMatchObject({ field: 'constructor' });
    expect(bodyShapeProblem({ constructorName: 'x', toStrings: 'y' })).toBeNull();
  });

  it('names a path parameter by itself', () => {
    expect(bodyShapeProblem('2026\u0001-2027', 'season')).toEqual({ field: 'season', message: 'season must not contain control characters' });
  });
});
