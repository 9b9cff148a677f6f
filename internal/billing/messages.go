package billing

// The Finnish texts of findings (for unit heads: what is wrong and how to fix
// it) and of line descriptions (Selite, for finance and the provider). None of
// them may quote an identity code, a name or, in a description, a Kela amount
// of a person.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/cellvalue"
	"tyomatka/internal/period"
	"tyomatka/internal/tracking"
)

// label names a date column in messages, in the grammatical cases they need.
type label struct {
	nom  string // "Aloituspäivä 2.3.2026 …"
	part string // "… ennen aloituspäivää …"
	bill string // "… ei laskuteta" — what is not billed
}

var (
	labelReferral   = label{"Ohjauspäivä", "ohjauspäivää", "riviä"}
	labelInfo       = label{"Infotilaisuuden päivä", "infotilaisuuden päivää", "infotilaisuutta"}
	labelStart      = label{"Aloituspäivä", "aloituspäivää", "aloitusta"}
	labelEnd        = label{"Päättymispäivä", "päättymispäivää", ""}
	labelEmployment = label{"Työllistymispäivä", "työllistymispäivää", "työllistymistä"}
)

// quote returns a cell's text for a message when it is safe to repeat: a
// date or a number as typed. Anything that could be a name or an identity
// code (valid or mistyped) is described instead (SPEC §3.4, §4).
func quote(raw string) string {
	raw = strings.TrimSpace(raw)
	if !cellvalue.Quotable(raw) {
		return "(arvoa ei näytetä)"
	}
	return strconv.Quote(raw)
}

// fiDate writes a date the Finnish way, d.m.yyyy.
func fiDate(d civil.Date) string { return fmt.Sprintf("%d.%d.%d", d.Day, int(d.Month), d.Year) }

// fiMonth writes a month the Finnish way, m/yyyy.
func fiMonth(m period.Month) string { return fmt.Sprintf("%d/%d", int(m.Month), m.Year) }

func fiMonths(ms []period.Month) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = fiMonth(m)
	}
	return strings.Join(s, ", ")
}

// fromMonths says "kuukaudelta 2/2026" or "kuukausilta 1/2026, 2/2026".
func fromMonths(ms []period.Month) string {
	if len(ms) == 1 {
		return "kuukaudelta " + fiMonth(ms[0])
	}
	return "kuukausilta " + fiMonths(ms)
}

func fiSpan(first, last period.Month) string {
	if first == last {
		return fiMonth(first)
	}
	return fiMonth(first) + "–" + fiMonth(last)
}

// fiNumber writes a decimal with a decimal comma.
func fiNumber(d decimal.Decimal) string { return strings.Replace(d.String(), ".", ",", 1) }

// fiEuro writes an amount as "3 000,00 €".
func fiEuro(d decimal.Decimal) string {
	s := d.StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	out := b.String() + "," + frac + " €"
	if neg {
		out = "−" + out
	}
	return out
}

// rowList lists row numbers in ascending order, whatever order they were
// collected in, so that messages do not depend on input order.
func rowList(rows []int) string {
	rows = slices.Sorted(slices.Values(rows))
	s := make([]string, len(rows))
	for i, r := range rows {
		s[i] = strconv.Itoa(r)
	}
	return strings.Join(s, ", ")
}

// HETU_INVALID

func msgHetuInvalidClient() string {
	return "Henkilötunnus puuttuu tai on virheellinen (muoto, syntymäaika tai tarkistusmerkki ei täsmää). " +
		"Korjaa henkilötunnus; riviä ei käsitellä ennen korjausta."
}

func msgHetuInvalidCodes() string {
	return "Muunto-välilehden henkilötunnus puuttuu tai on virheellinen (muoto, syntymäaika tai tarkistusmerkki ei täsmää). " +
		"Korjaa henkilötunnus; riviä ei käytetä koodin muuntoon ennen korjausta."
}

// HETU_MISPLACED

func msgHetuInCode() string {
	return "Koodi-sarakkeessa on henkilötunnus (tai sen näköinen merkkijono). Koodi näkyy palveluntuottajalle ja raporteissa, " +
		"joten sitä ei käytetä: kirjoita soluun asiakkaan koodi (esim. TM-0042). Henkilöä ei laskuteta ennen korjausta."
}

func msgHetuInClientNumber() string {
	return "Asiakasnumero-sarakkeessa on henkilötunnus (tai sen näköinen merkkijono). Sitä ei näytetä raporteissa: " +
		"kirjoita soluun asiakasnumero tai jätä se tyhjäksi. Rivi laskutetaan muuten tavalliseen tapaan."
}

func msgHetuInMunicipality() string {
	return "Kotikunta-sarakkeessa on henkilötunnus (tai sen näköinen merkkijono). Sitä ei näytetä raporteissa: " +
		"kirjoita soluun kotikunta (nimi tai kolminumeroinen kuntanumero). Rivi laskutetaan muuten tavalliseen tapaan " +
		"kertymälistan tai oletuskunnan mukaan."
}

// msgDoubtful says which of the person's months an invalid accrual row
// leaves open: the months named, or every month when the row's own month
// could not be read.
func msgDoubtful(doubtful []period.Month, anyMonth bool) string {
	if anyMonth {
		return "Henkilön kertymälistarivin kuukausi on virheellinen (ks. ACCRUAL_ROW_INVALID), joten rivi voi koskea mitä tahansa kuukautta."
	}
	return fmt.Sprintf("Kertymälistassa on henkilön virheellinen rivi %s (ks. ACCRUAL_ROW_INVALID).", fromMonths(doubtful))
}

// REFERRAL_MISSING

func msgReferralMissing(raw string) string {
	if strings.TrimSpace(raw) == "" {
		return "Ohjauspäivä puuttuu. Lisää ohjauspäivä muodossa p.k.vvvv (esim. 10.3.2026); riviä ei käsitellä ennen korjausta."
	}
	return fmt.Sprintf("Ohjauspäivä %s ei ole kelvollinen päivämäärä. "+
		"Kirjoita se muodossa p.k.vvvv (esim. 10.3.2026); riviä ei käsitellä ennen korjausta.", quote(raw))
}

// DATE_FUTURE

func msgReferralFuture(r, d civil.Date) string {
	return fmt.Sprintf("Ohjauspäivä %s on ajopäivän %s jälkeen. "+
		"Tarkista päivämäärä; riviä ei käsitellä ennen kuin päivä on ohitettu tai korjattu.", fiDate(r), fiDate(d))
}

func msgDateFuture(what label, date, d civil.Date) string {
	return fmt.Sprintf("%s %s on ajopäivän %s jälkeen. "+
		"Tarkista päivämäärä; tulevaa tapahtumaa ei laskuteta, ennen kuin päivä on ohitettu.", what.nom, fiDate(date), fiDate(d))
}

// CLIENT_DUPLICATE

func msgClientDuplicate(row int, rows []int) string {
	var others []int
	for _, r := range rows {
		if r != row {
			others = append(others, r)
		}
	}
	where := "rivillä"
	if len(others) > 1 {
		where = "riveillä"
	}
	return fmt.Sprintf("Sama henkilötunnus on myös %s %s. "+
		"Poista ylimääräiset rivit tai yhdistä ne yhdeksi; mitään näistä riveistä ei laskuteta ennen korjausta.", where, rowList(others))
}

// CODE_MISSING

func msgCodeMissing() string {
	return "Henkilölle ei ole koodia Muunto-välilehdellä. " +
		"Lisää henkilötunnus ja koodi Muunto-välilehdelle; riviä ei laskuteta ennen korjausta."
}

// CODE_DUPLICATE

func msgCodeSeveral(codes []string, rows []int) string {
	return fmt.Sprintf("Henkilöllä on Muunto-välilehdellä useita koodeja (%s; Muunto-rivit %s). "+
		"Jätä henkilölle yksi koodi; riviä ei laskuteta ennen korjausta.", strings.Join(slices.Sorted(slices.Values(codes)), ", "), rowList(rows))
}

func msgCodeShared(code string, rows []int) string {
	return fmt.Sprintf("Koodi %s on Muunto-välilehdellä usealla eri henkilöllä (Muunto-rivit %s). "+
		"Anna jokaiselle henkilölle oma koodi; näitä henkilöitä ei laskuteta ennen korjausta.", code, rowList(rows))
}

// DATE_ORDER

// msgDateOrder says that a milestone is before its predecessor, or (pred nil)
// that the predecessor is missing.
func msgDateOrder(what label, date civil.Date, predecessor label, pred *civil.Date) string {
	if pred == nil {
		return fmt.Sprintf("%s %s on merkitty, mutta %s puuttuu tai ei ole kelvollinen. "+
			"Lisää %s tai tarkista %s; %s ei laskuteta ennen korjausta.",
			what.nom, fiDate(date), strings.ToLower(predecessor.nom), strings.ToLower(predecessor.nom),
			strings.ToLower(what.nom), what.bill)
	}
	return fmt.Sprintf("%s %s on ennen %s %s. Tarkista päivämäärät; %s ei laskuteta ennen korjausta.",
		what.nom, fiDate(date), predecessor.part, fiDate(*pred), what.bill)
}

// DATE_INVALID

func msgDateInvalid(what label, raw string) string {
	return fmt.Sprintf("%s %s ei ole kelvollinen päivämäärä (esimerkiksi kaksinumeroinen vuosi ei kelpaa). "+
		"Kirjoita päivämäärä muodossa p.k.vvvv (esim. 3.5.2026); siihen asti päivää pidetään puuttuvana.", what.nom, quote(raw))
}

// EMPLOYMENT_TYPE

func msgEmploymentType(raw string, hasColumn bool, e civil.Date) string {
	fix := "Kirjoita Työsuhde-sarakkeeseen avoin tai palkkatuki; työllistymistä ei laskuteta ennen korjausta."
	switch {
	case !hasColumn:
		return fmt.Sprintf("Taulukossa ei ole Työsuhde-saraketta, joten työllistymisen %s lajia ei tiedetä. "+
			"Lisää Työsuhde-sarake ja kirjoita siihen avoin tai palkkatuki; työllistymistä ei laskuteta ennen korjausta.", fiDate(e))
	case strings.TrimSpace(raw) == "":
		return fmt.Sprintf("Työllistymiselle %s ei ole merkitty työsuhteen lajia. %s", fiDate(e), fix)
	}
	return fmt.Sprintf("Työsuhteen laji %s ei ole tunnettu (työllistyminen %s). %s", quote(raw), fiDate(e), fix)
}

// PENDING_VERIFICATION

func msgPendingVerification(e civil.Date, first, last period.Month, missing, doubtful []period.Month, anyMonth bool) string {
	if len(doubtful) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "Työllistymisen %s todentaminen on kesken (seurantajakso %s). ", fiDate(e), fiSpan(first, last))
		if len(missing) > 0 {
			fmt.Fprintf(&b, "Kertymätiedot puuttuvat vielä %s. ", fromMonths(missing))
		}
		b.WriteString(msgDoubtful(doubtful, anyMonth))
		b.WriteString(" Korjaa rivi tai hae lista Kelmusta uudelleen; työllistymispalkkio laskutetaan, kun jakson " +
			"kertymätiedot ovat kunnossa ja etuuspäiviä on enintään sallittu määrä.")
		return b.String()
	}
	return fmt.Sprintf("Työllistymisen %s todentaminen on kesken: seurantajakso %s, kertymätiedot puuttuvat vielä %s. "+
		"Ei vaadi toimenpiteitä; työllistymispalkkio laskutetaan, kun koko jakson kertymälistat ovat käytettävissä "+
		"ja etuuspäiviä on enintään sallittu määrä.", fiDate(e), fiSpan(first, last), fromMonths(missing))
}

// NOT_VERIFIED

func msgNotVerified(e civil.Date, first, last period.Month, days, limit decimal.Decimal) string {
	return fmt.Sprintf("Työllistyminen %s ei todennu: seurantajaksolla %s maksettiin %s etuuspäivää, kun enintään %s sallitaan. "+
		"Työllistymispalkkiota ei laskuteta. Tarkista työllistymispäivä, jos se on kirjattu väärin.",
		fiDate(e), fiSpan(first, last), fiNumber(days), fiNumber(limit))
}

// NO_BASELINE

func msgNoBaseline(s civil.Date, first, last period.Month, uncovered, doubtful []period.Month, anyMonth bool) string {
	if len(doubtful) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "Vaikuttavuutta ei voida vielä laskea (vertailujakso %s, aloitus %s). ", fiSpan(first, last), fiDate(s))
		if len(uncovered) > 0 {
			fmt.Fprintf(&b, "Kertymälista puuttuu %s. ", fromMonths(uncovered))
		}
		b.WriteString(msgDoubtful(doubtful, anyMonth))
		b.WriteString(" Korjaa rivi tai hae lista Kelmusta uudelleen; sen jälkeen vaikuttavuuspalkkio lasketaan.")
		return b.String()
	}
	return fmt.Sprintf("Vaikuttavuutta ei voida laskea: vertailujakson %s (aloitus %s) kertymälista puuttuu %s. "+
		"Lisää puuttuvat Kelmun kertymälistat, jos ne ovat saatavilla; muuten vaikuttavuuspalkkiota ei laskuteta.",
		fiSpan(first, last), fiDate(s), fromMonths(uncovered))
}

// ACCRUAL_GAP

func msgAccrualGap(m period.Month) string {
	return fmt.Sprintf("Kertymälista puuttuu kuukaudelta %s: kuukausi on ensimmäisen ja viimeisen kertymälistan välissä, "+
		"mutta sille ei ole yhtään riviä. Lisää Kelmusta kuukauden %s kertymälista kertymälistojen kansioon; "+
		"puuttuvaa listaa ei tulkita nollaksi.", fiMonth(m), fiMonth(m))
}

// ACCRUAL_LIST_MISSING

func msgAccrualListMissing(m period.Month, from []string) string {
	return fmt.Sprintf("Kuukauden %s omaa kertymälistaa ei löydy: kuukaudelle on vain toisten listojen korjausrivejä (%s). "+
		"Jos kuukauden lista puuttuu, lisää se Kelmusta kertymälistojen kansioon ja aja uudelleen: ilman sitä niiden asiakkaiden, "+
		"joilla ei ole korjausriviä, etuus näyttää kuukaudelta nollalta.", fiMonth(m), strings.Join(from, ", "))
}

// ACCRUAL_MISMATCH

func msgAccrualMismatch(days, accrued decimal.Decimal, m period.Month, tol decimal.Decimal) string {
	return fmt.Sprintf("Maksupäivät-arvo %s poikkeaa Kelan kertymäpäivistä %s ohjauskuukautena %s (ero %s, sallittu enintään %s). "+
		"Tarkista Maksupäivät ja ohjauspäivä.",
		fiNumber(days), fiNumber(accrued), fiMonth(m), fiNumber(days.Sub(accrued).Abs()), fiNumber(tol))
}

func msgAccrualDaysNotNumber(raw string, m period.Month) string {
	return fmt.Sprintf("Maksupäivät-arvo %s ei ole luku, joten sitä ei voi verrata Kelan kertymäpäiviin ohjauskuukautena %s. "+
		"Kirjoita arvo lukuna (esim. 350).", quote(raw), fiMonth(m))
}

// Line descriptions (Selite).

func descInfo(d civil.Date) string  { return "Infotilaisuus " + fiDate(d) }
func descStart(d civil.Date) string { return "Aloitus " + fiDate(d) }

func descEmployed(t tracking.EmploymentType, e civil.Date, first, last period.Month, sustain int) string {
	s := "Työllistyminen avoimille työmarkkinoille " + fiDate(e)
	if t == tracking.TypeSubsidised {
		s = "Työllistyminen palkkatuella " + fiDate(e)
	}
	if sustain > 0 {
		s += ", todennettu " + fiSpan(first, last)
	}
	return s
}

func descEffectiveness(m period.Month, k, followup int, capped bool, limit decimal.Decimal) string {
	s := fmt.Sprintf("Vaikuttavuus %s (seurantakuukausi %d/%d)", fiMonth(m), k, followup)
	if capped {
		s += ", katto " + fiEuro(limit) + " saavutettu"
	}
	return s
}
