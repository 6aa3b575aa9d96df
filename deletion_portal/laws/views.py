from django.shortcuts import render


def calculator(request):
    return render(request, "laws/calculator.html", {})


def law_list(request):
    return render(request, "laws/law_list.html", {})
