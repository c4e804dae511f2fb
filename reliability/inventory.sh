#!/bin/sh
# inventory.sh counts what runflow's tests throw at it, for the summary table
# of docs/security.md: the bad inputs tried, by category (every seed of every
# fuzz target, f.Add seeds and testdata/fuzz files alike, and every case of
# the table tests below, as `go test -v` reports them), the faults injected
# by the two fault storms, and the writes they lost or duplicated.
#
# Usage, from anywhere in the repository:  sh reliability/inventory.sh
# It runs the listed tests once (about 20 s) and prints a Markdown table.
set -eu
cd "$(dirname "$0")/.."

# package test category: a test without subtests counts as 1 case.
map='
engine/input FuzzParse answers
engine/input FuzzParseDateTime answers
engine/input FuzzParseEmails answers
engine/input FuzzParseNumber answers
engine/input TestParseDateTimeRejects answers
engine/input TestParseDateRejects answers
engine/input TestAnswerLimits answers
engine/input TestBlankAnswers answers
engine TestMissingAndBadPresets answers
engine TestInputAttemptsExhausted answers
engine FuzzLoad templates
engine TestLoadErrorsGolden templates
engine TestLoadLimits templates
engine/flowtest FuzzParse templates
reliability TestHostileTemplatesAreRefusedAtLoad templates
reliability TestHostileTemplateHeadersAreRefused templates
reliability TestLimitYAMLAliasExpansion templates
reliability TestLimitTemplateFileSize templates
engine TestExpressionNestingIsRefusedBeforeParsing templates
cmd/runflow TestDeeplyNestedExpressionIsRefused templates
reliability FuzzExpression expressions
engine TestRunTimeFailures expressions
reliability TestLimitExpressionSize expressions
reliability TestLimitExpressionMemory expressions
engine TestStringGrowthIsBounded expressions
reliability TestLimitExpressionText expressions
engine TestEvaluationIsBounded expressions
engine TestSessionMemoryIsBounded expressions
engine TestConcatIsSizedFirst expressions
reliability TestHostileValuesInPathsQueriesAndHeaders values
reliability TestAnswersCannotChangeTheJSONBody values
engine TestPathSegmentsAreEscaped values
engine TestHeaderLineBreaksRejected values
graph TestEscapingCannotChangeThePath values
graph TestPathSegment values
graph TestODataString values
graph TestUnsafeRelativePathsAreRefused values
graph TestBadHeadersAreRefusedBeforeSending values
graph FuzzParseError responses
graph FuzzResponse responses
graph TestParseErrorOnOtherBodies responses
graph TestParseErrorCleansHostileText responses
graph TestSuccessBodies responses
graph TestGraphErrorFixtures responses
graph TestPagesBadCollections responses
graph TestTruncatedBodyIsATransportError responses
graph TestBodyLimit responses
graph TestPagesRefusesNextLinkToAnotherHost responses
graph TestRedirectsNeverCarryTheToken responses
graph TestAbsoluteURLToAnotherHostIsRefusedBeforeAnyToken responses
graph TestAllowedHostsAndSchemes responses
reliability TestForeignNextLinksAndRedirectsGetNoToken responses
reliability TestLimitResponseBodySize responses
reliability TestBrokenGraphAnswersFailClearly responses
graph TestSchemeHostAndPortAreCompared responses
cmd/runflow TestCleanWriter responses
cmd/runflow TestCLIOutputIsCleaned responses
engine FuzzResumeState states
engine TestResumeRefusesBadStates states
engine TestResumeRefusesChangedOrUnknownTemplates states
reliability TestLimitStateSize states
engine TestSignedStatesRefuseEdits states
reliability TestTamperedStateCannotChangeWhoOrWhat states
bot TestEditedSessionIsRefused states
auth FuzzParseProfile signin
auth TestParseProfile signin
auth TestBotLinkExpiresAndCannotBeForged signin
auth TestBotMagicCodeLimits signin
auth TestLoginLoopbackIgnoresForeignState signin
auth TestBotDeviceCodeRefusesAnotherAccount signin
auth TestInvalidGrantOnExchangeIsTyped signin
auth TestTokenEndpointFailuresAreClear signin
reliability TestForwardedSignInLinkAttachesNothing signin
auth TestGrantsAreBoundToTheProfileIdentity signin
auth TestSecretFilesOutsideTheProfileDirectoryAreRefused signin
auth TestConcurrentRefreshAcrossStores signin
auth TestConcurrentRefreshAcrossProcesses signin
auth TestRefreshLockFile signin
cmd/runflow TestCLIProfileWithAnotherIdentityGetsNoToken signin
'
tests=$(printf '%s\n' "$map" | awk 'NF==3 {print $2}' | sort -u | paste -sd'|' -)
storms='TestFaultStormWritesLandAtMostOnce|TestFaultStormEveryWriteLandsOnceOrIsReported'
out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -count=1 -v -run "^($tests|$storms)\$" ./engine/... ./graph ./auth ./reliability ./bot ./cmd/runflow >"$out" 2>&1 || {
	echo "inventory: some tests failed:" >&2
	grep -E '^(--- FAIL|FAIL|ok)' "$out" >&2
	exit 1
}

printf '%s\n' "$map" | awk -v out="$out" '
NF == 3 { cat[$1 " " $2] = $3 }
END {
	# Attribute each "--- PASS" line to its package: "ok <pkg>" follows
	# the package'"'"'s tests.
	n = 0
	while ((getline line < out) > 0) {
		if (line ~ /^[ \t]*--- (PASS|FAIL): /) {
			sub(/^[ \t]*--- (PASS|FAIL): /, "", line)
			sub(/ \(.*$/, "", line)
			buf[++n] = line
		} else if (line ~ /^ok[ \t]/) {
			split(line, f, /[ \t]+/)
			pkg = f[2]; sub(/^github.com\/runflow\/runflow\//, "", pkg)
			for (i = 1; i <= n; i++) {
				name = buf[i]; top = name; sub(/\/.*/, "", top)
				key = pkg " " top
				if (!(key in cat)) continue
				if (name == top) tops[key] = 1; else subs[key]++
			}
			n = 0
		} else if (line ~ /storm_test.go:[0-9]+: /) {
			storm[++ns] = line
		}
	}
	for (key in cat) {
		c = (key in subs) ? subs[key] : ((key in tops) ? 1 : 0)
		if (c == 0) missing = missing " " key
		total[cat[key]] += c; all += c
	}
	label["answers"] = "end-user answers (dates, emails, numbers, presets, attempts)"
	label["templates"] = "hostile or broken templates (YAML, paths, headers, alias bombs, sizes, nesting)"
	label["expressions"] = "expressions (fuzzed, run-time failures, size, steps and memory)"
	label["values"] = "values put into paths, $filter literals, headers and bodies"
	label["responses"] = "hostile or broken Graph answers (bodies, errors, nextLinks, redirects, ports, sizes, text printed)"
	label["states"] = "tampered, foreign or oversized saved states"
	label["signin"] = "sign-in: forged or forwarded links, wrong codes, other accounts, profiles, concurrent refreshes"
	print "| bad inputs tried, by category | cases |"
	print "|---|---|"
	split("answers templates expressions values responses states signin", order, " ")
	for (i = 1; i <= 7; i++) printf "| %s | %d |\n", label[order[i]], total[order[i]]
	printf "| **total** | **%d** |\n", all
	print ""
	for (i = 1; i <= ns; i++) print storm[i]
	if (missing != "") { print "inventory: tests not found:" missing > "/dev/stderr"; exit 1 }
}'
