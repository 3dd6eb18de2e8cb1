import { addressKey } from './address';
import { isValidCitizenPhone, maskPhone, normalizePhone } from './phone';
import { formatTicketNumber } from './ticket-number';
import { publicNoticeText } from './notice';

describe('citizen phone', () => {
  it.each(['13812345678', '+86 138 1234 5678', '022-23456789', '02223456789', '0316-2345678'])('accepts %s', (phone) => {
    expect(isValidCitizenPhone(phone)).toBe(true);
  });

  it.each(['12812345678', '1381234567', '23456789', '022-0345678', 'abc', ''])('refuses %s', (phone) => {
    expect(isValidCitizenPhone(phone)).toBe(false);
  });

  it('normalises spacing and the country code', () => {
    expect(normalizePhone('+86 138 1234 5678')).toBe('13812345678');
    // One canonical form: digits only, so a number typed with dashes or spaces matches the same caller.
    expect(normalizePhone('022-2345 6789')).toBe('02223456789');
    expect(normalizePhone('(022) 2345-6789')).toBe(normalizePhone('02223456789'));
    expect(normalizePhone('022－23456789')).toBe('02223456789');
  });

  it('masks the middle digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone(normalizePhone('022-23456789'))).toBe('022****6789');
  });
});

describe('addressKey', () => {
  it('ignores width, spacing and punctuation', () => {
    expect(addressKey('南开区 鞍山西道1号，3-201')).toBe(addressKey('南开区鞍山西道１号3－201'));
    expect(addressKey('Block A, Room 3')).toBe(addressKey('block a room3'));
  });

  it('keeps different addresses apart', () => {
    expect(addressKey('鞍山西道1号3-201')).not.toBe(addressKey('鞍山西道1号3-202'));
  });
});

describe('formatTicketNumber', () => {
  it('reads 8890-YYYYMMDD-NNNNNN', () => {
    expect(formatTicketNumber('2026-11-28', 42)).toBe('8890-20261128-000042');
  });

  it('refuses a sequence beyond six digits', () => {
    expect(() => formatTicketNumber('2026-11-28', 1_000_000)).toThrow();
  });
});

describe('publicNoticeText', () => {
  it('names company, ticket, district, stage and lateness in Chinese', () => {
    const text = publicNoticeText({ companyName: '天津热力南开分公司', ticketNumber: '8890-20261128-000042', district: 'NANKAI', stage: 'accept', overdueMs: 12 * 3_600_000 });
    expect(text).toBe(
      '【通报批评】天津热力南开分公司承办的8890供热工单8890-20261128-000042（南开区），“工单接收”环节超过办理时限12小时仍未完成，现予通报批评，责令立即整改。',
    );
  });
});
