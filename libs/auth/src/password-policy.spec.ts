import { HttpException } from '@nestjs/common';
import { assertAcceptablePassword, MIN_PASSWORD_LENGTH, passwordProblem } from './password-policy';

/** The password rule (zxcvbn-ts with the common dictionaries), each message naming the field and the rule. */
describe('password policy', () => {
  it.each([
    ['short1!', /^newPassword must be at least 10 characters$/],
    ['密码'.repeat(13), /^newPassword must be at most 72 bytes in UTF-8$/],
    ['password-1234', /^newPassword is too common$/],
    ['1234567890', /^newPassword is too common$/],
    ['P@ssw0rd123', /^newPassword is too common$/],
    ['iloveyou12', /^newPassword is too common$/],
    ['aaaaaaaaaaaa', /^newPassword is too repetitive/],
    ['abcdefghij', /^newPassword is a keyboard pattern or a sequence/],
    ['zhang.wei2024', /^newPassword must not be built from the username or display name$/],
  ])('refuses %j: %s', (password, message) => {
    expect(passwordProblem(password, 'newPassword', ['zhang.wei'])).toMatch(message);
  });

  it.each(['correct horse battery', 'Tianjin8890!', 'heating-hotline-2026', 'pw-AbC3xYz9QrT1', '暖气不热请尽快上门维修'])('accepts %j', (password) => {
    expect(passwordProblem(password, 'password', ['zhang.wei'])).toBeNull();
  });

  it('counts characters, not bytes or UTF-16 units, for the minimum length', () => {
    expect(MIN_PASSWORD_LENGTH).toBe(10);
    expect(passwordProblem('𠀀𠀁𠀂𠀃𠀄𠀅𠀆𠀇𠀈', 'password')).toMatch(/at least 10 characters/);
  });

  it('throws a 400 validation problem naming the field', () => {
    let thrown: unknown;
    try {
      assertAcceptablePassword('qwertyuiop', 'password');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HttpException);
    expect((thrown as HttpException).getStatus()).toBe(400);
    expect((thrown as HttpException).getResponse()).toMatchObject({ title: 'Validation failed', errors: [{ field: 'password', message: 'password is too common' }] });
  });
});
