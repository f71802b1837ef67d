"""Word lists, written as plain whitespace-separated text to stay readable."""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """The set of whitespace-separated words in ``text``."""
    return frozenset(text.split())


# Given names that say a person's gender, for resolving "he"/"she" to the
# right person of an article.  Common English given names (and a few common
# in international news) whose bearers are overwhelmingly one gender; names
# that are often both (Jordan, Taylor, Kelly, Chris, Pat, Jean, Robin,
# Leslie, Dana, Terry, Jamie, Casey, Lindsey, Tracy, ...) are left out on
# purpose: an unknown name constrains nothing, a wrong one misleads.  The
# last lines of each list are the given names of people in PolNeAR's train
# articles that the first lines missed ("Barack" among them).
FEMALE_NAMES = words(
    """
    abigail ada adriana agnes aisha alexandra alice alicia alison allison amanda
    amber amelia amy ana anastasia andrea angela angelina angelique anita ann anna
    anne annette antoinette april ashley audrey barbara beatrice becky belinda
    bernadette beth betsy betty beverly brenda bridget brittany caitlin camila
    candace carla carly carmen carol caroline carolyn catherine cathy cecilia
    charlotte chelsea cheryl christina christine cindy claire clara claudia
    colleen connie constance courtney cristina crystal cynthia daisy danielle
    daphne darlene dawn debbie deborah debra denise diana diane dolores donna
    doris dorothy edith eileen elaine eleanor elena elisabeth elise eliza
    elizabeth ella ellen eloise emily emma erica erin esther eva evelyn fatima
    felicia fiona florence frances francesca gabriela gabrielle gail gina gloria
    grace gretchen gwen hannah harriet hayley heather heidi helen helena
    hillary holly hope ida ingrid irene iris isabel isabella jacqueline jane
    janet janice jasmine jeanette jeanne jennifer jenny jessica jill joan joann
    joanna joanne jocelyn josephine joy joyce judith judy julia julie juliet
    june karen karin katharine katherine kathleen kathryn kathy katie katrina
    kay kayla kelsey kimberly kirsten krista kristen kristin laura lauren
    leah lena lillian lily linda lisa lois loretta lori
    louise lucia lucy lydia mabel madeleine madeline maggie mallory marcia
    margaret margarita maria marian marianne marie marilyn marina marjorie
    martha mary maureen megan melanie melinda melissa meredith mia michelle
    mildred miranda molly monica nadia nancy naomi natalie natasha nicole nina
    nora norma olga olivia paige pamela patricia paula pauline peggy penelope
    penny phyllis priscilla rachel rebecca regina renee rhonda rita roberta
    rosa rose rosemary ruth sabrina samantha sandra sara sarah sharon sheila
    shirley silvia sofia sonia sophia sophie stacey stephanie susan susanne
    suzanne sylvia tamara tammy tanya teresa theresa tiffany tina ursula
    valerie vanessa veronica vicki victoria violet virginia vivian wanda wendy
    whitney yolanda yvonne zoe
    angie arianna bette bonnie brigid carole cecile condoleezza debby dena
    dianne gabby ghazala hasmik huma ileana ivana ivanka jen jenna jillian
    joni juanita kate kelli kellyanne lael laurie liz lolita luciana marla
    maya meg megyn melania melanne michele mika monique nikki norah omarosa
    patti sahar shelley shonda tashfeen zeynep
    """
)
MALE_NAMES = words(
    """
    aaron abdul abraham adam adrian ahmed alan albert alberto alec alejandro
    alexander alfred allen alvin andre andrew andy angelo anthony antonio
    arnold arthur barry ben benjamin bernard bernie bill billy bob bobby brad
    bradley brandon brett brian bruce bryan byron calvin carl carlos cecil
    chad charles charlie chester christopher chuck clarence clark claude clayton
    clifford clint cody colin craig curtis dan daniel danny darren
    david dean dennis derek dick don donald doug douglas duane dustin dwight
    earl eddie edgar eduardo edward edwin eli elijah elliot emmanuel enrique
    eric erik ernest eugene evan felix fernando francis francisco frank
    franklin fred frederick gabriel gary gavin gene geoffrey george gerald
    gilbert glenn gordon graham greg gregory gus hank harold harry harvey
    hector henry herbert herman howard hugh hugo ian isaac ivan jack jacob
    jake james jared jason javier jay jeff jeffrey jeremy jerome jerry
    jesse jesus jim jimmy joe joel john johnny jon jonathan jorge jose joseph
    josh joshua juan julian justin karl keith ken kenneth kevin kirk kurt kyle
    lance larry lawrence leo leon leonard leroy lewis lloyd louis luis
    luke malcolm manuel marco marcus mario mark martin marvin matt matthew
    maurice max melvin michael miguel mike mitch mitchell mohammed muhammad
    nathan nathaniel neil nicholas nick norman oliver omar oscar patrick paul
    pedro peter phil philip phillip ralph randall randy raul ray raymond reed
    reginald richard rick ricky robert roberto rod roger roland ron ronald ross
    roy russell ryan sam samuel scott sean sergei sergio seth shane shawn
    simon stanley stephen steve steven stuart ted terrence theodore
    thomas tim timothy todd tom tommy tony travis trevor troy tyler victor
    vincent vladimir wade walter warren wayne wesley wilbur willard william
    willie xavier yusuf zachary
    akhil al allan ari arturo barack barney bashar beau benito brendan brent
    bret christoph corey cory curt dante daron darrell dave
    duncan dylann ed emmet federico felipe ferdinand fethullah fidel freddy
    garry geoff glen gonzalo humayun jamal jeb jeffery khizr lamar
    laquan lou marc marty matteo mick mikhail milton mitt moammar mohamed
    morton muammar nate neal newt nidal nigel norbert oleg osama pete
    pierre rand recep reince rob robby rudolph rudy rupert russ sadiq
    sheldon shinzo sidney stan syed tad teddy trayvon trey viktor vin
    whit woodrow zach
    """
)


# One name for the spellings of an affiliation that analysts count as one
# voice: keys are casefolded, without periods and without a leading "the".
# Parties (the adjective, the noun, the plural, the nickname), and
# countries and bodies news names by initials.  Nationalities stay apart
# from their country: "a Russian dissident" does not speak for Russia.
AFFILIATION_ALIASES = {
    **dict.fromkeys(
        ("republican", "republicans", "gop", "republican party", "grand old party"), "Republican"
    ),
    **dict.fromkeys(
        ("democratic", "democrat", "democrats", "democratic party", "dem", "dems"), "Democratic"
    ),
    **dict.fromkeys(
        ("us", "usa", "united states", "united states of america", "america"), "United States"
    ),
    **dict.fromkeys(("uk", "britain", "great britain", "united kingdom"), "United Kingdom"),
    **dict.fromkeys(("un", "united nations"), "United Nations"),
    **dict.fromkeys(("eu", "european union"), "European Union"),
    **dict.fromkeys(("us senate", "united states senate"), "U.S. Senate"),
    **dict.fromkeys(("us house", "us house of representatives"), "U.S. House"),
}
#: US states as AP style abbreviates them in datelines and after a
#: politician's party letter ("R-Fla."), matched with their periods: "VA"
#: (Veterans Affairs) and "L.A." are not Virginia and Louisiana.  "Wash."
#: is the state, kept apart from the capital's "Washington" (and from
#: Washington State University).
AP_STATES = {
    "ala.": "Alabama",
    "ariz.": "Arizona",
    "ark.": "Arkansas",
    "calif.": "California",
    "colo.": "Colorado",
    "conn.": "Connecticut",
    "del.": "Delaware",
    "fla.": "Florida",
    "ga.": "Georgia",
    "ill.": "Illinois",
    "ind.": "Indiana",
    "kan.": "Kansas",
    "ky.": "Kentucky",
    "la.": "Louisiana",
    "md.": "Maryland",
    "mass.": "Massachusetts",
    "mich.": "Michigan",
    "minn.": "Minnesota",
    "miss.": "Mississippi",
    "mo.": "Missouri",
    "mont.": "Montana",
    "neb.": "Nebraska",
    "nev.": "Nevada",
    "n.h.": "New Hampshire",
    "n.j.": "New Jersey",
    "n.m.": "New Mexico",
    "n.y.": "New York",
    "n.c.": "North Carolina",
    "n.d.": "North Dakota",
    "okla.": "Oklahoma",
    "ore.": "Oregon",
    "pa.": "Pennsylvania",
    "r.i.": "Rhode Island",
    "s.c.": "South Carolina",
    "s.d.": "South Dakota",
    "tenn.": "Tennessee",
    "vt.": "Vermont",
    "va.": "Virginia",
    "wash.": "Washington (state)",
    "w.va.": "West Virginia",
    "wis.": "Wisconsin",
    "wyo.": "Wyoming",
}
#: Names whose "The" is part of the name, not an article to drop.
THE_NAMES = words("hague gambia bahamas")
