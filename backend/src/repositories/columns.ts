/**
 * Select lists shared by several repositories, written once so a new column reaches every read path together.
 * They are SQL text only: no repository depends on another repository's module for them.
 */

/**
 * A message's attachments as one JSON array, for the select list of any message query (`alias` is the
 * messages row). An index probe per message; kept in SQL so every read path carries attachments in its one round trip.
 */
export const attachmentsOf = (alias: string) => `(
  SELECT coalesce(json_agg(json_build_object(
    'id', a.id, 'status', a.status, 'fileName', a.file_name, 'contentType', a.content_type, 'size', a.size,
    'width', a.width, 'height', a.height, 'hasThumbnail', a.thumbnail_key IS NOT NULL) ORDER BY a.position), '[]'::json)
  FROM attachments a WHERE a.message_id = ${alias}.id)`;

/** A message row's own columns under `alias` (a table alias, or the table name in a RETURNING list). */
export const messageColumns = (alias: string) => `${alias}.id, ${alias}.chat_id AS "chatId", ${alias}.seq, ${alias}.sender_id AS "senderId",
  ${alias}.sender_contact_id AS "senderContactId", ${alias}.client_id AS "clientId", ${alias}.body, ${alias}.reply_to_id AS "replyToId",
  ${alias}.created_at AS "createdAt", ${alias}.edited_at AS "editedAt", ${alias}.deleted_at AS "deletedAt", ${alias}.internal, ${alias}.delivery,
  ${alias}.sender_kind AS "senderKind", ${alias}.sender_name AS "senderName"`;

/** A whole message (alias `m`) with its attachments. */
export const MESSAGE_COLUMNS = `${messageColumns('m')}, ${attachmentsOf('m')} AS attachments`;

export const CHAT_COLUMNS = `c.id, c.type, c.title, c.created_by AS "createdBy", c.direct_key AS "directKey",
  c.last_message_seq AS "lastMessageSeq", c.last_message_at AS "lastMessageAt", c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;
