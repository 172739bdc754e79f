"""Guided meditation: arrival, settling, intention and closing (breath lines: common; body and images: imagery)."""

from __future__ import annotations

OPENERS = [
    "Welcome. Take a moment to settle into a position that feels comfortable, yet alert.",
    "Welcome to this practice. Find a comfortable way to sit or lie down.",
    "Let's begin by simply arriving. Find a position where your body can be at ease.",
    "Hello, and welcome. Let yourself settle in, and give yourself permission to pause.",
    "Welcome. For the next little while, there's nowhere else you need to be.",
    "Take a moment to get comfortable. Shift around if you need to, until your body feels supported.",
    "Welcome. Let's take this time slowly, together.",
    "Find a comfortable position, sitting or lying down, and let your hands rest wherever they feel easy.",
    "Begin by noticing that you've arrived. You've made time for this, and that matters.",
    "Welcome. Let the chair, the cushion or the floor take your weight.",
    "Welcome. Let's start by doing nothing at all for a moment, just sitting and breathing.",
]

WARM_OPENERS = [
    "Welcome. I'm glad you've made this time for yourself.",
    "Hello, and welcome. You deserve these few minutes of care.",
]

ENERGISING_OPENERS = [
    "Welcome! Sit up tall, and let's wake up the body and the mind together.",
    "Welcome. Sit tall, with your feet planted and your chest open.",
    "Let's begin. Sit upright, shoulders back, and feel ready.",
]

GROUNDING_OPENERS = [
    "Welcome. Let's begin by feeling the ground beneath you, solid and steady.",
    "Welcome. Sit so that your weight is well supported, and feel yourself land.",
]

SLEEP_OPENERS = [
    "Welcome. Settle into bed, or wherever you're resting tonight, and let your body be fully supported.",
    "Let yourself lie down comfortably. Draw the covers up if you like, and let your head sink into the pillow.",
    "Welcome. This is a time to slow down, and let the day come to an end.",
    "Get comfortable, lying down. There's nothing you need to do now but rest.",
    "Welcome. Let your body get heavy and still, and let the room fall quiet around you.",
    "Settle in. Let your arms rest by your sides, and let your legs be heavy.",
]

SHORT_OPENERS = ["Welcome.", "Let's begin.", "Settle in.", "Welcome, and settle in."]
SLEEP_SHORT_OPENERS = ["Settle in, and let yourself rest.", "Welcome, and let your body get heavy."]

EYES = [
    "When you're ready, let your eyes close, or lower your gaze softly to the floor.",
    "Let your eyes close, if that feels comfortable. If not, rest them on a spot in front of you.",
    "Let your eyes close gently, or let them rest, half open, on the floor ahead.",
    "Let your gaze soften, and when it feels right, let your eyes close.",
]

SLEEP_EYES = [
    "Let your eyes close, and let your eyelids feel heavy.",
    "Let your eyes close softly, as if they were already half asleep.",
    "Close your eyes, and let the darkness be soft and restful.",
]

POSTURE = [
    "Let your spine be upright but not stiff, as if the crown of your head were lifted by a thread.",
    "Let your shoulders drop away from your ears.",
    "Unclench your jaw. Let your tongue rest softly in your mouth.",
    "Let your hands rest in your lap, or on your thighs, palms up or down.",
    "Feel the places where your body touches the surface beneath you.",
    "Let your face soften, especially around the eyes and the forehead.",
    "Feel the weight of your body, and let the ground hold it.",
    "Notice your feet on the floor, and the solid ground under them.",
    "Let your belly soften. There's no need to hold it in.",
    "Let your breathing slow down by itself, without forcing anything.",
    "Notice the sounds around you, near and far, and let them be.",
    "Let your hands be heavy and still.",
    "Notice the air on your skin, its temperature, its stillness.",
]

SLEEP_POSTURE = [
    "Let your head sink into the pillow. Let it be heavy.",
    "Let your arms feel heavy, sinking into the mattress.",
    "Let your jaw go loose, and your tongue rest softly.",
    "Feel the warmth of the covers around you.",
    "Let your legs be heavy and still, as if they were sinking into the bed.",
    "Let your hands lie open. There's nothing left to hold today.",
    "Notice the quiet of the room. Let it settle over you.",
    "Let your face go soft, the forehead smooth, the eyes resting.",
]

ARRIVAL_INTENT = [
    "You came here to {goal}.",
    "This time is for you, to {goal}.",
    "Your intention for this practice is to {goal}.",
    "You've set aside these minutes to {goal}. Let that be enough for now.",
    "You're here because you want to {goal}. That's a good reason to pause.",
    "Let's use this time to {goal}, one breath at a time.",
    "Today, you're here to {goal}. You don't have to work at it. Let the practice help.",
    "Hold this lightly in mind: you'd like to {goal}.",
    "This practice is about {goal_ing}.",
    "This is a time for {goal_ing}, gently and at your own pace.",
]

BREATH_INTROS = [
    "Now bring your attention to the breath.",
    "Let's begin with the breath.",
    "Let your attention settle on your breathing.",
    "Now turn toward the breath, the simplest place to begin.",
    "Let's use the breath to slow things down.",
]

SLEEP_BREATH_INTROS = [
    "Now let your attention drift to the breath.",
    "Let the breath become slow and soft.",
    "Let's let the breath carry you down a little.",
]

SETTLE_INTROS = [
    "Now bring your attention into the body as a whole.",
    "Let your awareness spread out, from the breath into the whole body.",
    "Now let's make a little more room in the body.",
]

SETTLE = [
    "Scan down from the top of your head to your feet, and notice any place that feels tight.",
    "If you find tension, breathe toward it, and let it loosen a little on the out-breath.",
    "Let your forehead smooth out. Let the space between your eyebrows widen.",
    "Drop your shoulders a little further. Let your arms hang heavy.",
    "Let your hands open and soften.",
    "Feel your belly move with the breath, soft and unguarded.",
    "Notice your legs and feet, heavy and supported.",
    "Notice the whole body breathing, from the crown of your head to the soles of your feet.",
    "Let any effort melt away, starting at the top of your head and moving down.",
    "Notice which parts of you already feel at ease, and let that ease spread.",
    "Let the muscles around your eyes relax.",
    "Notice your heartbeat, if you can feel it. Let it be as it is.",
    "Let your back be supported. Let the chair or the floor do the work.",
    "Let the back of your neck lengthen, and your chin drop slightly.",
    "Feel the weight of your arms, and let them grow a little heavier.",
]

INTENTION_INTROS = [
    "Now, gently, bring to mind why you came here.",
    "Let's turn now to your intention.",
    "From this quieter place, let your intention come back to you.",
    "Now, with the body settled, let's return to what brought you here.",
]

INTENT_LINES = [
    "Let your intention come back to you, quietly: to {goal}.",
    "Let this breath carry your intention: to {goal}.",
    "There's no need to force it. Just let the wish to {goal} rest quietly with you.",
    "Picture yourself a little later, having been able to {goal}. Notice how you hold yourself.",
    "Each breath is a small step toward {goal_ing}.",
    "Silently, say to yourself: I am allowed to {goal_me}.",
    "Let the next few breaths be about {goal_ing}, and nothing else.",
    "You can return to this feeling whenever you want to {goal}.",
    "Imagine what it would feel like to {goal}. Let your body remember that feeling.",
    "Notice that part of you already knows how to {goal}. Let it lead.",
    "Let this be simple: you'd like to {goal}, and you're giving yourself the time to do it.",
    "Say it silently to yourself, in your own words if you like: I want to {goal_me}.",
]

REFLECT_GOAL = [
    "What would it feel like, right now, to {goal}?",
    "What is one small thing that would help you {goal}?",
    "Where in your body do you feel the wish to {goal}?",
    "What kind word would you offer a friend who wanted to {goal}?",
    "How would you carry yourself, later, if you could {goal}?",
    "What might make it a little easier to {goal}?",
]

REFLECT = [
    "What do you need most right now?",
    "If this moment could give you one thing, what would it be?",
    "What could you set down, just for now?",
    "What does your body want you to know right now?",
    "What is already steady in you, even now?",
    "What would you like to take with you from this practice?",
    "What would change if you were a little gentler with yourself today?",
    "What is one thing you're ready to let go of?",
]

SLEEP_REFLECT = [
    "What can you let go of now, before sleep?",
    "Is there one kind thought you'd like to fall asleep with?",
    "What would it feel like to let tomorrow take care of itself?",
]

CLOSING_RETURN = [
    "Slowly begin to bring your attention back to the room around you.",
    "Notice the sounds around you again, and the feeling of the air on your skin.",
    "Let your breathing deepen a little, and let some movement come back into your hands.",
    "Start to wiggle your fingers and toes, and let small movements come back into your body.",
    "If you like, have a gentle stretch, in whatever way feels good.",
    "Feel the weight of your body again, and the surface beneath you.",
    "Let your awareness widen, from the breath to the body, and from the body to the space around you.",
]

CLOSING_CARRY = [
    "As you come back, bring this with you: you can {goal}, one breath at a time.",
    "Take this feeling with you into whatever comes next.",
    "Thank yourself for taking this time to {goal}.",
    "Remember that you can come back to this practice whenever you need to.",
    "Whenever you want to {goal}, a few slow breaths can bring you back here.",
    "Let what you found here stay with you, quietly, for the rest of the day.",
    "Notice how you feel now, and let yourself remember it.",
    "You've given yourself something valuable just now. Let it stay with you.",
]

WARM_CARRY = [
    "Be proud of yourself for taking this time. It matters more than it might seem.",
    "Let yourself keep a little of this kindness for the rest of the day.",
]

GROUNDING_CARRY = [
    "Feel your feet, your seat, your weight: you're here, steady and supported.",
    "Take the steadiness of the ground with you as you come back.",
]

CLOSING_END = [
    "When you're ready, gently open your eyes.",
    "And when it feels right, open your eyes, and take your time before you move on.",
    "Whenever you're ready, let your eyes open.",
    "Take one more full breath, and when you're ready, open your eyes.",
    "When you feel ready, let your eyes open, and carry on at an easy pace.",
]

ENERGISING_END = [
    "Now open your eyes, take a deep breath in, and step into what comes next!",
    "Open your eyes, sit tall, and carry this energy with you.",
    "When you're ready, open your eyes, stretch, and feel ready to go.",
]

SLEEP_CLOSING = [
    "There's nothing more you need to do tonight.",
    "Let the breath become slow and easy, all by itself.",
    "You can let go of the practice now, and let sleep come in its own time.",
    "Let yourself sink, a little more with every breath.",
    "Let tonight be restful. Tomorrow will take care of itself.",
    "Let the body stay warm and heavy, and let the mind go soft.",
    "Whatever you were holding today, you can let it go for the night.",
]

SLEEP_CARRY = [
    "Let the wish to {goal} stay with you as you drift.",
    "Let your body do the rest. It knows how to {goal}.",
    "Let this quiet help you {goal}, without any effort at all.",
]

SLEEP_END = [
    "Rest now. You are safe, and warm, and the night is long enough.",
    "Let my voice fade now, and let the quiet take you.",
    "Sleep well. Let yourself drift, softly, into rest.",
    "Let go now, and let sleep carry you the rest of the way.",
    "Drift now, heavy and warm, into a deep and easy sleep.",
]

TIGHT_INTENTION = [
    "Silently, tell yourself: I can {goal_me}.",
    "Hold that intention gently, and let the next breath carry it.",
    "Let this breath make a little room for {goal_ing}.",
]

TIGHT_CLOSE = [
    "Carry this calm with you. When you're ready, open your eyes.",
    "Take this feeling with you, and gently open your eyes.",
    "Let that be enough for now. When you're ready, open your eyes.",
]

SLEEP_TIGHT_CLOSE = [
    "Let that be enough. Let yourself drift into rest.",
    "There's nothing more to do now. Rest, and let sleep come.",
]
