import { DISTRICT_NAMES_ZH, District } from './districts';
import { formatDurationZh } from './duration';
import { Stage, STAGE_NAMES_ZH } from './ticket-status';

export interface NoticeFacts {
  readonly companyName: string;
  readonly ticketNumber: string;
  readonly district: District;
  readonly stage: Stage;
  readonly overdueMs: number;
}

/**
 * The text of a public notice (通报批评): company, ticket number, district, stage and how late, in Chinese.
 * It takes no personal data, so it cannot publish any.
 */
export function publicNoticeText(facts: NoticeFacts): string {
  return (
    `【通报批评】${facts.companyName}承办的8890供热工单${facts.ticketNumber}（${DISTRICT_NAMES_ZH[facts.district]}），` +
    `“${STAGE_NAMES_ZH[facts.stage]}”环节超过办理时限${formatDurationZh(facts.overdueMs)}仍未完成，现予通报批评，责令立即整改。`
  );
}
