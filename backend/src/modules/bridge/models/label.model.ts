/** A thread label, which doubles as a ticket category (table `labels`; threads carry them through `thread_labels`). */
export interface LabelRow {
  id: string;
  name: string;
  color: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A reply an operator inserts by its shortcut (table `canned_responses`). */
export interface CannedResponseRow {
  id: string;
  shortcut: string;
  body: string;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}
