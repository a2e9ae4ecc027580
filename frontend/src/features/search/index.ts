export { SearchBox, type SearchBoxProps } from './components/search-box';
export { searchInChat } from './stores/search';
