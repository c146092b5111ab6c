/** Addresses and networks in properties: the schema pattern and the set to match against. */
export { ADDRESS_OR_NETWORK_PATTERN, AddressSet, unmappedAddress } from '../net/address-set';
