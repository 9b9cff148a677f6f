// Package hetu validates Finnish personal identity codes (henkilötunnus),
// including the century letters in use since 1.1.2023 (SPEC §2.3).
//
// Identity codes never leave the tracking workbook: they are held in memory
// only while a run reconciles, and everything stored or written uses the
// pseudonymous key of package pseudonym instead.
package hetu

// Code is a normalised, validated identity code such as "131052-308T".
type Code string

// TODO(inputs helper): Normalize, Parse, Error.
