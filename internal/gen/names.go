package gen

// Made-up but Finnish-looking names. Any resemblance to a real person is
// avoided by construction: every identity code is a temporary one (900–999).
var firstNames = []string{
	"Aino", "Eino", "Helmi", "Väinö", "Kerttu", "Toivo", "Siiri", "Onni",
	"Lempi", "Urho", "Saimi", "Tauno", "Elli", "Veikko", "Hilja", "Arvo",
	"Iida", "Leevi", "Venla", "Niilo", "Pihla", "Aatu", "Ronja", "Eelis",
	"Sanni", "Jalmari", "Minttu", "Oiva", "Kaisla", "Ilmari",
}

var lastNames = []string{
	"Kivimäki", "Järvelä", "Honkanen", "Leppälä", "Rantala", "Mäntylä",
	"Koivisto", "Salmela", "Kallioinen", "Peltonen", "Haapala", "Lehtimäki",
	"Vuorela", "Korpela", "Niemelä", "Ahola", "Suominen", "Tähtinen",
	"Halttunen", "Kuusela", "Rautio", "Heinämaa", "Ylänne", "Sorsala",
	"Paasikivi", "Lahdenperä", "Karhula", "Mustila", "Oravala", "Sippola",
}

// municipality is one Lahti-region municipality (SPEC §2.1) with the share of
// clients living there.
type municipality struct {
	Code   string
	Name   string
	Weight int // relative frequency
}

var municipalities = []municipality{
	{"398", "Lahti", 55},
	{"098", "Hollola", 12},
	{"560", "Orimattila", 8},
	{"111", "Heinola", 6},
	{"016", "Asikkala", 4},
	{"316", "Kärkölä", 3},
	{"142", "Iitti", 3},
	{"576", "Padasjoki", 3},
	{"781", "Sysmä", 3},
	{"081", "Hartola", 3},
}

// Benefits as Kela's list abbreviates them.
var benefits = []string{"TMT", "PPR", "ANS"}

// Employment types as written in Työsuhde: the canonical forms mostly, and
// the aliases and spellings the spec says must be accepted.
var employmentTypes = []struct {
	Text   string
	Weight int
}{
	{"avoin", 45},
	{"palkkatuki", 25},
	{"Avoin", 8},
	{"avoimet työmarkkinat", 8},
	{"palkkatuettu", 7},
	{"PALKKATUKI", 7},
}
