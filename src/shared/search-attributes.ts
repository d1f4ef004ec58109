import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Keyword attributes the Web UI lists and filters on. No personal data goes here.
export const SigningProvider = defineSearchAttributeKey('SigningProvider', SearchAttributeType.KEYWORD);
export const SigningStatus = defineSearchAttributeKey('SigningStatus', SearchAttributeType.KEYWORD);
export const SigningExternalId = defineSearchAttributeKey('SigningExternalId', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [SigningProvider, SigningStatus, SigningExternalId];
