/** Addresses and networks in properties, and sending files to sockets. */
export { ADDRESS_OR_NETWORK_PATTERN, AddressSet, unmappedAddress } from '../net/address-set';
export { socketDescriptor } from '../net/socket-descriptor';
export { drained, FileSender, type Sent } from '../net/file-sender';
