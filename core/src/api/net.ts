/** Addresses and networks in properties, accepted connections, and sending files to them. */
export { ADDRESS_OR_NETWORK_PATTERN, AddressSet, unmappedAddress } from '../net/address-set';
export { Connection } from '../net/connection';
export { socketDescriptor } from '../net/socket-descriptor';
export { drained, FileSender, type Sent } from '../net/file-sender';
