export { SmppSession, type SmppSessionOptions, type SmppSessionEvents } from './session';
export { SmppListener, type SmppListenerOptions } from './listener';
export { CommandStatus, commandStatusName, type CommandStatusName } from './command-status';
export { SmppProtocolError, SmppSessionClosedError, SmppTimeoutError } from './errors';
export * from './pdu';
export { MAX_PDU_LENGTH } from './smpp-package';
export { SmppClient, SmppBindError, SmppLinkDownError, type LinkState, type SmppClientOptions } from './esme-client';
export { parseSmppUrl, describeEndpoint, SmppEndpointError, type SmppEndpoint } from './endpoint';
