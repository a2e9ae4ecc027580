export { UserSearch, type UserSearchProps } from './components/user-search';
