import type { CommandStatusName } from '../../gateway/smpp';

/**
 * The SMSC's error catalogue: every SMPP command_status other than ESME_ROK that it answers with, and
 * when. docs/simulator.md lists the same; a test holds the two, and the statuses the code names, together.
 */
export const SMSC_ERRORS = {
  ESME_RINVMSGLEN: 'short_message and message_payload both present; a sar_segment_seqnum outside 1..sar_total_segments; an sm_length above 254, past the end of the PDU or not matching the message',
  ESME_RINVCMDLEN: 'a PDU whose body ends before its mandatory fields (generic_nack), or a command_length below 16 or above 16384 (generic_nack, then the connection is closed)',
  ESME_RINVCMDID: 'an unknown command_id, or a command the SMSC does not serve (generic_nack)',
  ESME_RINVBNDSTS: 'submit_sm, data_sm, submit_multi, query_sm, cancel_sm or replace_sm before a bind, or on a receiver bind',
  ESME_RALYBND: 'a bind on a session that is bound already',
  ESME_RSYSERR: 'the SMSC failed to handle a request (a bug: please report it); the session goes on',
  ESME_RINVDSTADR: 'an empty destination_addr, or a number whose behaviour is `rejected`',
  ESME_RINVSRCADR: 'cancel_sm or replace_sm whose source_addr is not the message\'s',
  ESME_RINVMSGID: 'query_sm, cancel_sm or replace_sm for a message id this system_id did not submit',
  ESME_RINVPASWD: 'a bind with an unknown system_id or a wrong password alike, or any bind from a locked-out source',
  ESME_RCANCELFAIL: 'cancel_sm that finds nothing pending to cancel (delivered already, or its outcome reached)',
  ESME_RREPLACEFAIL: 'replace_sm of a message no longer pending, or of a part of a concatenated message',
  ESME_RMSGQFUL: 'a number whose behaviour is `queue-full`',
  ESME_RINVNUMDESTS: 'submit_multi with no destination',
  ESME_RINVDLNAME: 'a distribution list among the destinations of a submit_multi (in unsuccess_sme; this SMSC keeps none)',
  ESME_RINVDESTFLAG: 'a submit_multi destination whose dest_flag is neither 1 (SME address) nor 2 (distribution list)',
  ESME_RINVESMCLASS: 'a UDH (esm_class 0x40) that overruns the message',
  ESME_RINVSCHED: 'a schedule_delivery_time that is not an SMPP absolute or relative time',
  ESME_RINVEXPIRY: 'a validity_period that is not an SMPP absolute or relative time',
  ESME_RTHROTTLED: 'a number whose behaviour is `throttled`, or a submit above `maxSubmitsPerSecond`',
  ESME_RINVOPTPARSTREAM: '1 to 3 stray octets after the last TLV of a request',
  ESME_RINVPARLEN: 'a TLV longer than the rest of the PDU',
} as const satisfies Partial<Record<CommandStatusName, string>>;
