import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { RefundTier, RoomType } from '@app/domain';

/** One immutable version of the indoor temperature standard (domain.md §3); new tickets snapshot the newest. */
@Entity({ name: 'indoor_standards' })
export class IndoorStandardEntity {
  @PrimaryColumn({ type: 'int' })
  version: number;

  /** °C; numeric in the database, read back as a number. */
  @Column({ type: 'numeric', precision: 4, scale: 1, transformer: { to: (value: number) => value, from: (value: string) => Number(value) } })
  celsius: number;

  /** The room types the standard applies to (卧室, 起居室 by default). */
  @Column({ type: 'text', array: true })
  rooms: RoomType[];

  @Column({ name: 'refund_tiers', type: 'jsonb' })
  refundTiers: RefundTier[];

  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
