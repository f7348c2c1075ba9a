/** SMPP 3.4 command_status values (section 5.1.3) that Verigate sends or reacts to. */
export const CommandStatus = {
  ESME_ROK: 0x00000000,
  ESME_RINVMSGLEN: 0x00000001,
  ESME_RINVCMDLEN: 0x00000002,
  ESME_RINVCMDID: 0x00000003,
  ESME_RINVBNDSTS: 0x00000004,
  ESME_RALYBND: 0x00000005,
  ESME_RINVPRTFLG: 0x00000006,
  ESME_RINVREGDLVFLG: 0x00000007,
  ESME_RSYSERR: 0x00000008,
  ESME_RINVSRCADR: 0x0000000a,
  ESME_RINVDSTADR: 0x0000000b,
  ESME_RINVMSGID: 0x0000000c,
  ESME_RBINDFAIL: 0x0000000d,
  ESME_RINVPASWD: 0x0000000e,
  ESME_RINVSYSID: 0x0000000f,
  ESME_RMSGQFUL: 0x00000014,
  ESME_RINVESMCLASS: 0x00000043,
  ESME_RSUBMITFAIL: 0x00000045,
  ESME_RTHROTTLED: 0x00000058,
  ESME_RINVSCHED: 0x00000061,
  ESME_RINVEXPIRY: 0x00000062,
  ESME_RX_T_APPN: 0x00000064,
  ESME_RX_P_APPN: 0x00000065,
  ESME_RX_R_APPN: 0x00000066,
  ESME_RINVOPTPARSTREAM: 0x000000c0,
  ESME_RINVPARLEN: 0x000000c2,
  ESME_RINVDCS: 0x00000104,
  ESME_RUNKNOWNERR: 0x000000ff,
} as const;

export type CommandStatusName = keyof typeof CommandStatus;

const namesByValue = new Map<number, string>(Object.entries(CommandStatus).map(([name, value]) => [value, name]));

/** `ESME_RTHROTTLED`, or `0x00000123` for a value outside the table. */
export function commandStatusName(status: number): string {
  return namesByValue.get(status) ?? `0x${status.toString(16).padStart(8, '0')}`;
}
